# Near-duplicates: every pair of images within a Hamming radius of each other's pHash
# (and dHash), within each dataset and across all enabled ones; pairs, clusters, counts.


rule dedup:
    input:
        records=[r for d in ENABLED for r in shard_outputs(d, "jsonl")],
        code=code("dedup"),
    output:
        pairs=f"{RESULTS}/dedup/pairs.jsonl",
        clusters=f"{RESULTS}/dedup/clusters.jsonl",
        summary=f"{RESULTS}/dedup/summary.json",
    log:
        f"{RESULTS}/logs/dedup/dedup.log",
    benchmark:
        f"{RESULTS}/benchmarks/dedup/dedup.tsv"
    conda:
        "../envs/imaging.yaml"
    threads: 2
    resources:
        mem_mb=2000,
        runtime=60,
    params:
        settings=config["dedup"],
    script:
        "../scripts/dedup.py"
