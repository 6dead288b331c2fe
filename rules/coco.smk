# COCO exports: one job per dataset, writing a folder of COCO JSON files (one per split
# present in the records; DeepFashion2 also its full-body subset as *_fullbody.json) and
# the export's counts beside it. Layouts and ids: humanprep/coco/. DeepFashion2 reads no
# image files (sizes come from the records); the others read their masks / label maps
# from the normalised shard folders.

COCO_DATASETS = ("deepfashion2", "fdh", "celeba", "shhq")


rule coco:
    input:
        records=lambda wc: shard_outputs(wc.dataset, "jsonl"),
        # Exported only once the dataset's records are validated (this also puts every
        # coco job at one depth of the DAG, so the report's rule graph shows coco once).
        summary=f"{RESULTS}/normalised/{{dataset}}/summary.json",
        fullbody=lambda wc: (
            derived_shards("deepfashion2-fullbody", "jsonl")
            if wc.dataset == "deepfashion2"
            else []
        ),
        files=lambda wc: (
            []
            if wc.dataset == "deepfashion2"
            else [p[: -len(".jsonl")] for p in shard_outputs(wc.dataset, "jsonl")]
        ),
        code=code("coco"),
    output:
        coco=directory(f"{RESULTS}/coco/{{dataset}}"),
        summary=f"{RESULTS}/coco/{{dataset}}.summary.json",
    log:
        f"{RESULTS}/logs/coco/{{dataset}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/coco/{{dataset}}.tsv"
    wildcard_constraints:
        dataset="|".join(COCO_DATASETS),
    conda:
        "../envs/coco.yaml"
    resources:
        mem_mb=lambda wc, attempt: 4000 * attempt,
    params:
        normalised=lambda wc, input: str(Path(input.records[0]).parent),
        options=config["coco"],
    script:
        "../scripts/coco.py"
