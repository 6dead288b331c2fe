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


# The report's near-duplicates page (with the other pages: rules/report.smk).
rule report_dedup:
    input:
        pairs=f"{RESULTS}/dedup/pairs.jsonl",
        summary=f"{RESULTS}/dedup/summary.json",
        records=[r for d in ENABLED for r in shard_outputs(d, "jsonl")],
        files=[f for d in ENABLED for f in shard_folders(d)],
        code=code("report_dedup"),
    output:
        pairs=report(
            f"{RESULTS}/report/dedup/pairs.png",
            caption="../report/dedup_pairs.rst",
            category="Near-duplicates",
            labels={"figure": "pairs side by side, with distances"},
        ),
        matrix=report(
            f"{RESULTS}/report/dedup/matrix.png",
            caption="../report/dedup_matrix.rst",
            category="Near-duplicates",
            labels={"figure": "pairs per dataset pair"},
        ),
    log:
        f"{RESULTS}/logs/report/dedup.log",
    benchmark:
        f"{RESULTS}/benchmarks/report/dedup.tsv"
    conda:
        "../envs/report.yaml"
    script:
        "../scripts/report_dedup.py"
