# Sharding: one job per dataset lists its items and assigns them to shards by a hash
# of the item id; every later stage runs one job per shard, never per image.


rule plan_shards:
    input:
        unpacked=per_dataset(unpacked),
        side=per_dataset(side_files),
        verified=per_dataset(verified),
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
        n_shards=per_dataset(n_shards),
        progress_interval=config["progress_interval"],
    script:
        "../scripts/plan_shards.py"
