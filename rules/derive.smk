# Derived data: the DeepFashion2 full-body subset (decided per shard, with a reason for
# every rejection).


rule fullbody:
    input:
        records=f"{RESULTS}/normalised/deepfashion2/{{shard}}.jsonl",
        code=code("fullbody"),
    output:
        accepted=f"{RESULTS}/derived/deepfashion2-fullbody/{{shard}}.jsonl",
        decisions=f"{RESULTS}/derived/deepfashion2-fullbody/{{shard}}.decisions.jsonl",
    log:
        f"{RESULTS}/logs/fullbody/{{shard}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/fullbody/{{shard}}.tsv"
    conda:
        "../envs/imaging.yaml"
    resources:
        runtime=lambda wc, attempt, rulename: shard_runtime(
            "deepfashion2", time_attempt(rulename, wc, attempt), 0.02
        ),
    params:
        rules=config["fullbody"],
    script:
        "../scripts/fullbody.py"


rule fullbody_summary:
    input:
        decisions=lambda wc: derived_shards("deepfashion2-fullbody", "decisions.jsonl"),
        code=code("fullbody_summary"),
    output:
        f"{RESULTS}/derived/deepfashion2-fullbody/summary.json",
    log:
        f"{RESULTS}/logs/fullbody_summary.log",
    conda:
        "../envs/imaging.yaml"
    params:
        rules=config["fullbody"],
    script:
        "../scripts/fullbody_summary.py"


# CelebA edge and sketch maps, one job per normalised shard.
rule sketches:
    input:
        records=f"{RESULTS}/normalised/celeba/{{shard}}.jsonl",
        files=f"{RESULTS}/normalised/celeba/{{shard}}",
        code=code("sketches"),
    output:
        index=f"{RESULTS}/derived/celeba-sketch/{{shard}}.jsonl",
        maps=directory(f"{RESULTS}/derived/celeba-sketch/{{shard}}"),
    log:
        f"{RESULTS}/logs/sketches/{{shard}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/sketches/{{shard}}.tsv"
    conda:
        "../envs/imaging.yaml"
    resources:
        mem_mb=lambda wc, attempt, rulename: shard_mem_mb(
            "celeba", mem_attempt(rulename, wc, attempt)
        ),
        runtime=lambda wc, attempt, rulename: shard_runtime(
            "celeba", time_attempt(rulename, wc, attempt), 0.5
        ),
    params:
        normalised=lambda wc, input: str(Path(input.records).parent),
        sketch=config["sketch"],
    script:
        "../scripts/sketches.py"


rule sketch_summary:
    input:
        index=lambda wc: derived_shards("celeba-sketch", "jsonl"),
        code=code("sketch_summary"),
    output:
        f"{RESULTS}/derived/celeba-sketch/summary.json",
    log:
        f"{RESULTS}/logs/sketch_summary.log",
    conda:
        "../envs/imaging.yaml"
    params:
        sketch=config["sketch"],
    script:
        "../scripts/sketch_summary.py"


# HuGe100K: views with their cameras, the front view, and the orbit check.
rule views:
    input:
        records=f"{RESULTS}/normalised/huge100k/{{shard}}.jsonl",
        code=code("views"),
    output:
        f"{RESULTS}/derived/huge100k-views/{{shard}}.jsonl",
    log:
        f"{RESULTS}/logs/views/{{shard}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/views/{{shard}}.tsv"
    conda:
        "../envs/imaging.yaml"
    resources:
        runtime=lambda wc, attempt, rulename: shard_runtime(
            "huge100k", time_attempt(rulename, wc, attempt), 0.01
        ),
    params:
        orbit_tolerance=config["views"]["orbit_tolerance"],
    script:
        "../scripts/views.py"


rule views_summary:
    input:
        views=lambda wc: derived_shards("huge100k-views", "jsonl"),
        code=code("views_summary"),
    output:
        f"{RESULTS}/derived/huge100k-views/summary.json",
    log:
        f"{RESULTS}/logs/views_summary.log",
    conda:
        "../envs/imaging.yaml"
    params:
        orbit_tolerance=config["views"]["orbit_tolerance"],
    script:
        "../scripts/views_summary.py"


# SHHQ composited on white (optional: composite.shhq in the config).
rule composites:
    input:
        records=f"{RESULTS}/normalised/shhq/{{shard}}.jsonl",
        files=f"{RESULTS}/normalised/shhq/{{shard}}",
        code=code("composites"),
    output:
        index=f"{RESULTS}/derived/shhq-composite/{{shard}}.jsonl",
        images=directory(f"{RESULTS}/derived/shhq-composite/{{shard}}"),
    log:
        f"{RESULTS}/logs/composites/{{shard}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/composites/{{shard}}.tsv"
    conda:
        "../envs/imaging.yaml"
    resources:
        runtime=lambda wc, attempt, rulename: shard_runtime(
            "shhq", time_attempt(rulename, wc, attempt), 0.5
        ),
    params:
        normalised=lambda wc, input: str(Path(input.records).parent),
        quality=config["composite"]["jpeg_quality"],
    script:
        "../scripts/composites.py"
