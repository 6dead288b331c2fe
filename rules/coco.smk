# COCO exports: one job per dataset whose descriptor names an exporter, writing a folder
# of COCO JSON files (one per split present in the records; DeepFashion2 also its
# full-body subset as *_fullbody.json) and the export's counts beside it. Layouts and ids:
# humanprep/coco/. What each export reads: coco_inputs() in common.smk.


rule coco:
    input:
        unpack(coco_inputs),
        code=code("coco"),
    output:
        coco=directory(f"{RESULTS}/coco/{{dataset}}"),
        summary=f"{RESULTS}/coco/{{dataset}}.summary.json",
    log:
        f"{RESULTS}/logs/coco/{{dataset}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/coco/{{dataset}}.tsv"
    wildcard_constraints:
        dataset=COCO_DATASETS,
    conda:
        "../envs/coco.yaml"
    resources:
        mem_mb=lambda wc, attempt, rulename: 4000 * mem_attempt(rulename, wc, attempt),
    params:
        normalised=folder_of("records"),
        options=config["coco"],
    script:
        "../scripts/coco.py"
