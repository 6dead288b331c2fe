# Normalisation: each shard's items become records of one schema (one JSON Lines file
# per shard, sorted by id) plus their cleaned files; bad items go to quarantine.


rule normalise:
    input:
        shards=f"{RESULTS}/shards/{{dataset}}",
        # the items are read from here: extracted trees are temporary, kept until then
        unpacked=per_dataset(unpacked),
        # checked first: the archives read in place are still the ones verified
        verified=per_dataset(verified),
        code=code("normalise"),
    output:
        records=f"{RESULTS}/normalised/{{dataset}}/{{shard}}.jsonl",
        quarantine=f"{RESULTS}/normalised/{{dataset}}/{{shard}}.quarantine.jsonl",
        files=directory(f"{RESULTS}/normalised/{{dataset}}/{{shard}}"),
    log:
        f"{RESULTS}/logs/normalise/{{dataset}}/{{shard}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/normalise/{{dataset}}/{{shard}}.tsv"
    conda:
        "../envs/imaging.yaml"
    resources:
        mem_mb=shard_job_mem_mb,
        runtime=shard_job_runtime(),
    params:
        options=per_dataset(normalise_options),
    script:
        "../scripts/normalise.py"


rule normalise_summary:
    input:
        records=per_dataset(shard_outputs, "jsonl"),
        quarantine=per_dataset(shard_outputs, "quarantine.jsonl"),
        code=code("normalise_summary"),
    output:
        f"{RESULTS}/normalised/{{dataset}}/summary.json",
    log:
        f"{RESULTS}/logs/normalise_summary/{{dataset}}.log",
    conda:
        "../envs/imaging.yaml"
    params:
        max_quarantine_fraction=config["normalise"]["max_quarantine_fraction"],
    script:
        "../scripts/normalise_summary.py"
