# Sharding: one job per dataset lists its items and assigns them to shards by a hash
# of the item id; every later stage runs one job per shard, never per image.


rule plan_shards:
    input:
        unpacked=lambda wc: unpacked(wc.dataset),
        side=lambda wc: side_files(wc.dataset),
        verified=lambda wc: verified(wc.dataset),
        code=code("plan_shards"),
    output:
        directory(f"{RESULTS}/shards/{{dataset}}"),
    log:
        f"{RESULTS}/logs/plan_shards/{{dataset}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/plan_shards/{{dataset}}.tsv"
    conda:
        "../envs/imaging.yaml"
    params:
        n_shards=lambda wc: n_shards(wc.dataset),
        progress_interval=config["progress_interval"],
    script:
        "../scripts/plan_shards.py"
