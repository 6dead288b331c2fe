# Derived subsets, one job per normalised shard of the dataset whose descriptor derives
# them (humanprep/datasets/): full-body filtering, sketch maps, views, composites. Each
# per-shard loop lives in humanprep/derive/.


rule fullbody:
    input:
        records=f"{RESULTS}/normalised/{{dataset}}/{{shard}}.jsonl",
        code=code("fullbody"),
    output:
        accepted=f"{RESULTS}/derived/{{dataset}}-fullbody/{{shard}}.jsonl",
        decisions=f"{RESULTS}/derived/{{dataset}}-fullbody/{{shard}}.decisions.jsonl",
    log:
        f"{RESULTS}/logs/fullbody/{{dataset}}/{{shard}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/fullbody/{{dataset}}/{{shard}}.tsv"
    wildcard_constraints:
        dataset=owners("fullbody"),
    conda:
        "../envs/imaging.yaml"
    resources:
        runtime=subset_runtime("fullbody"),
    params:
        rules=config["fullbody"],
    script:
        "../scripts/fullbody.py"


rule fullbody_summary:
    input:
        decisions=subset_shards("fullbody", "decisions.jsonl"),
        code=code("fullbody_summary"),
    output:
        f"{RESULTS}/derived/{{dataset}}-fullbody/summary.json",
    log:
        f"{RESULTS}/logs/fullbody_summary/{{dataset}}.log",
    wildcard_constraints:
        dataset=owners("fullbody"),
    conda:
        "../envs/imaging.yaml"
    params:
        dataset="{dataset}",
        rules=config["fullbody"],
    script:
        "../scripts/fullbody_summary.py"


rule sketches:
    input:
        records=f"{RESULTS}/normalised/{{dataset}}/{{shard}}.jsonl",
        files=f"{RESULTS}/normalised/{{dataset}}/{{shard}}",
        code=code("sketches"),
    output:
        index=f"{RESULTS}/derived/{{dataset}}-sketch/{{shard}}.jsonl",
        maps=directory(f"{RESULTS}/derived/{{dataset}}-sketch/{{shard}}"),
    log:
        f"{RESULTS}/logs/sketches/{{dataset}}/{{shard}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/sketches/{{dataset}}/{{shard}}.tsv"
    wildcard_constraints:
        dataset=owners("sketch"),
    conda:
        "../envs/imaging.yaml"
    resources:
        mem_mb=shard_job_mem_mb,
        runtime=subset_runtime("sketch"),
    params:
        normalised=folder_of("records"),
        sketch=config["sketch"],
    script:
        "../scripts/sketches.py"


rule sketch_summary:
    input:
        index=subset_shards("sketch", "jsonl"),
        code=code("sketch_summary"),
    output:
        summary=f"{RESULTS}/derived/{{dataset}}-sketch/summary.json",
        # each face's ink per map against the documented bands (sketch.INK_BANDS)
        page=report(
            f"{RESULTS}/report/sketch/{{dataset}}_ink.html",
            caption="../report/sketch_ink.rst",
            category="Derived beside sources",
            subcategory=subset_title("sketch"),
            labels={"figure": "ink per face and map, against the bands"},
        ),
    log:
        f"{RESULTS}/logs/sketch_summary/{{dataset}}.log",
    wildcard_constraints:
        dataset=owners("sketch"),
    conda:
        "../envs/imaging.yaml"
    params:
        dataset="{dataset}",
        sketch=config["sketch"],
    script:
        "../scripts/sketch_summary.py"


rule views:
    input:
        records=f"{RESULTS}/normalised/{{dataset}}/{{shard}}.jsonl",
        files=f"{RESULTS}/normalised/{{dataset}}/{{shard}}",
        code=code("views"),
    output:
        index=f"{RESULTS}/derived/{{dataset}}-views/{{shard}}.jsonl",
        # PNG views only with views.materialise: empty otherwise
        images=directory(f"{RESULTS}/derived/{{dataset}}-views/{{shard}}"),
    log:
        f"{RESULTS}/logs/views/{{dataset}}/{{shard}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/views/{{dataset}}/{{shard}}.tsv"
    wildcard_constraints:
        dataset=owners("views"),
    conda:
        "../envs/imaging.yaml"
    resources:
        runtime=subset_runtime("views"),
    params:
        normalised=folder_of("records"),
        orbit_tolerance=config["views"]["orbit_tolerance"],
        materialise=config["views"]["materialise"],
    script:
        "../scripts/views.py"


rule views_summary:
    input:
        views=subset_shards("views", "jsonl"),
        code=code("views_summary"),
    output:
        f"{RESULTS}/derived/{{dataset}}-views/summary.json",
    log:
        f"{RESULTS}/logs/views_summary/{{dataset}}.log",
    wildcard_constraints:
        dataset=owners("views"),
    conda:
        "../envs/imaging.yaml"
    params:
        dataset="{dataset}",
        orbit_tolerance=config["views"]["orbit_tolerance"],
    script:
        "../scripts/views_summary.py"


rule composites:
    input:
        records=f"{RESULTS}/normalised/{{dataset}}/{{shard}}.jsonl",
        files=f"{RESULTS}/normalised/{{dataset}}/{{shard}}",
        code=code("composites"),
    output:
        index=f"{RESULTS}/derived/{{dataset}}-composite/{{shard}}.jsonl",
        images=directory(f"{RESULTS}/derived/{{dataset}}-composite/{{shard}}"),
    log:
        f"{RESULTS}/logs/composites/{{dataset}}/{{shard}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/composites/{{dataset}}/{{shard}}.tsv"
    wildcard_constraints:
        dataset=owners("composite"),
    conda:
        "../envs/imaging.yaml"
    resources:
        runtime=subset_runtime("composite"),
    params:
        normalised=folder_of("records"),
        quality=config["composite"]["jpeg_quality"],
    script:
        "../scripts/composites.py"
