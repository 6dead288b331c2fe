# COCO exports: one job per dataset (and one for the DeepFashion2 full-body subset), each
# writing a folder of COCO JSON files (one per split present in the records) plus
# summary.json. Layouts and ids: humanprep/coco/.

COCO_EXPORTS = {
    "deepfashion2": "deepfashion2",
    "deepfashion2-fullbody": "deepfashion2",
    "fdh": "fdh",
    "celeba": "celeba",
    "shhq": "shhq",
}


def coco_records(export):
    if export == "deepfashion2-fullbody":
        return derived_shards("deepfashion2-fullbody", "jsonl")
    return shard_outputs(export, "jsonl")


def coco_files(export):
    """Normalised shard folders whose masks/label maps the export reads."""
    if export.startswith("deepfashion2"):
        return []
    return [p[: -len(".jsonl")] for p in shard_outputs(export, "jsonl")]


def coco_targets():
    """The export folders of the enabled datasets (for final_targets)."""
    return [f"{RESULTS}/coco/{e}" for e, d in COCO_EXPORTS.items() if d in ENABLED]


rule coco:
    input:
        records=lambda wc: coco_records(wc.export),
        files=lambda wc: coco_files(wc.export),
        code=code("coco", "coco", "formats"),
    output:
        directory(f"{RESULTS}/coco/{{export}}"),
    log:
        f"{RESULTS}/logs/coco/{{export}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/coco/{{export}}.tsv"
    wildcard_constraints:
        export="|".join(COCO_EXPORTS),
    conda:
        "../envs/coco.yaml"
    resources:
        mem_mb=lambda wc, attempt: 4000 * attempt,
    params:
        normalised=lambda wc: f"{RESULTS}/normalised/{COCO_EXPORTS[wc.export]}",
    script:
        "../scripts/coco.py"
