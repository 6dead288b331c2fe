# Pictures for `snakemake --report report.html`: a contact sheet per dataset, DeepFashion2
# full-body examples (accepted / rejected with reasons) and count charts, each a report()
# output with a caption from report/. The targets: report_targets() in rules/common.smk.


rule report_sheet_shhq:
    input:
        records=lambda wc: shard_outputs("shhq", "jsonl"),
        files=lambda wc: [p[: -len(".jsonl")] for p in shard_outputs("shhq", "jsonl")],
        code=code("report_sheet"),
    output:
        report(
            f"{RESULTS}/report/sheets/shhq.png",
            caption="../report/sheet_shhq.rst",
            category="Contact sheets",
            subcategory="SHHQ",
            labels={"figure": "SHHQ contact sheet"},
        ),
    log:
        f"{RESULTS}/logs/report/sheet_shhq.log",
    benchmark:
        f"{RESULTS}/benchmarks/report/sheet_shhq.tsv"
    conda:
        "../envs/report.yaml"
    params:
        dataset="shhq",
        normalised=lambda wc, input: str(Path(input.records[0]).parent),
    script:
        "../scripts/report_sheet.py"


rule report_sheet_fdh:
    input:
        records=lambda wc: shard_outputs("fdh", "jsonl"),
        files=lambda wc: [p[: -len(".jsonl")] for p in shard_outputs("fdh", "jsonl")],
        code=code("report_sheet"),
    output:
        report(
            f"{RESULTS}/report/sheets/fdh.png",
            caption="../report/sheet_fdh.rst",
            category="Contact sheets",
            subcategory="FDH",
            labels={"figure": "FDH contact sheet"},
        ),
    log:
        f"{RESULTS}/logs/report/sheet_fdh.log",
    benchmark:
        f"{RESULTS}/benchmarks/report/sheet_fdh.tsv"
    conda:
        "../envs/report.yaml"
    params:
        dataset="fdh",
        normalised=lambda wc, input: str(Path(input.records[0]).parent),
    script:
        "../scripts/report_sheet.py"


rule report_sheet_deepfashion2:
    input:
        records=lambda wc: shard_outputs("deepfashion2", "jsonl"),
        files=lambda wc: [
            p[: -len(".jsonl")] for p in shard_outputs("deepfashion2", "jsonl")
        ],
        code=code("report_sheet"),
    output:
        report(
            f"{RESULTS}/report/sheets/deepfashion2.png",
            caption="../report/sheet_deepfashion2.rst",
            category="Contact sheets",
            subcategory="DeepFashion2",
            labels={"figure": "DeepFashion2 contact sheet"},
        ),
    log:
        f"{RESULTS}/logs/report/sheet_deepfashion2.log",
    benchmark:
        f"{RESULTS}/benchmarks/report/sheet_deepfashion2.tsv"
    conda:
        "../envs/report.yaml"
    params:
        dataset="deepfashion2",
        normalised=lambda wc, input: str(Path(input.records[0]).parent),
    script:
        "../scripts/report_sheet.py"


rule report_sheet_celeba:
    input:
        records=lambda wc: shard_outputs("celeba", "jsonl"),
        files=lambda wc: [p[: -len(".jsonl")] for p in shard_outputs("celeba", "jsonl")],
        sketches=lambda wc: derived_shards("celeba-sketch", "jsonl"),
        maps=lambda wc: [
            p[: -len(".jsonl")] for p in derived_shards("celeba-sketch", "jsonl")
        ],
        code=code("report_sheet"),
    output:
        report(
            f"{RESULTS}/report/sheets/celeba.png",
            caption="../report/sheet_celeba.rst",
            category="Contact sheets",
            subcategory="CelebA",
            labels={"figure": "CelebA image, label map and sketch strips"},
        ),
    log:
        f"{RESULTS}/logs/report/sheet_celeba.log",
    benchmark:
        f"{RESULTS}/benchmarks/report/sheet_celeba.tsv"
    conda:
        "../envs/report.yaml"
    params:
        dataset="celeba",
        normalised=lambda wc, input: str(Path(input.records[0]).parent),
        sketches=lambda wc, input: str(Path(input.sketches[0]).parent),
    script:
        "../scripts/report_sheet.py"


rule report_sheet_huge100k:
    input:
        views=lambda wc: derived_shards("huge100k-views", "jsonl"),
        files=lambda wc: [
            p[: -len(".jsonl")] for p in shard_outputs("huge100k", "jsonl")
        ],
        code=code("report_sheet"),
    output:
        report(
            f"{RESULTS}/report/sheets/huge100k.png",
            caption="../report/sheet_huge100k.rst",
            category="Contact sheets",
            subcategory="HuGe100K",
            labels={"figure": "HuGe100K view rings"},
        ),
    log:
        f"{RESULTS}/logs/report/sheet_huge100k.log",
    benchmark:
        f"{RESULTS}/benchmarks/report/sheet_huge100k.tsv"
    conda:
        "../envs/report.yaml"
    params:
        dataset="huge100k",
        normalised=lambda wc, input: str(Path(input.files[0]).parent),
    script:
        "../scripts/report_sheet.py"


rule report_fullbody:
    input:
        records=lambda wc: shard_outputs("deepfashion2", "jsonl"),
        files=lambda wc: [
            p[: -len(".jsonl")] for p in shard_outputs("deepfashion2", "jsonl")
        ],
        decisions=lambda wc: derived_shards("deepfashion2-fullbody", "decisions.jsonl"),
        code=code("report_fullbody"),
    output:
        accepted=report(
            f"{RESULTS}/report/fullbody/accepted.png",
            caption="../report/fullbody_accepted.rst",
            category="Full-body subset",
            subcategory="DeepFashion2",
            labels={"figure": "accepted"},
        ),
        rejected=report(
            f"{RESULTS}/report/fullbody/rejected.png",
            caption="../report/fullbody_rejected.rst",
            category="Full-body subset",
            subcategory="DeepFashion2",
            labels={"figure": "rejected, with reasons"},
        ),
    log:
        f"{RESULTS}/logs/report/fullbody.log",
    benchmark:
        f"{RESULTS}/benchmarks/report/fullbody.tsv"
    conda:
        "../envs/report.yaml"
    params:
        normalised=lambda wc, input: str(Path(input.records[0]).parent),
    script:
        "../scripts/report_fullbody.py"


rule report_charts:
    input:
        summaries=expand(
            f"{RESULTS}/normalised/{{dataset}}/summary.json", dataset=ENABLED
        ),
        records=lambda wc: [r for d in ENABLED for r in shard_outputs(d, "jsonl")],
        fullbody=lambda wc: (
            [f"{RESULTS}/derived/deepfashion2-fullbody/summary.json"]
            if "deepfashion2" in ENABLED
            else []
        ),
        decisions=lambda wc: (
            derived_shards("deepfashion2-fullbody", "decisions.jsonl")
            if "deepfashion2" in ENABLED
            else []
        ),
        code=code("report_charts"),
    output:
        stages=report(
            f"{RESULTS}/report/charts/stages.png",
            caption="../report/chart_stages.rst",
            category="Counts",
            subcategory="Stages",
            labels={"figure": "items per dataset and stage"},
        ),
        categories=report(
            f"{RESULTS}/report/charts/categories.png",
            caption="../report/chart_categories.rst",
            category="Counts",
            subcategory="Categories",
            labels={"figure": "DeepFashion2 garments per category"},
        ),
        reasons=report(
            f"{RESULTS}/report/charts/fullbody_reasons.png",
            caption="../report/chart_fullbody_reasons.rst",
            category="Counts",
            subcategory="Categories",
            labels={"figure": "full-body decisions per reason"},
        ),
        licences=report(
            f"{RESULTS}/report/charts/licences.png",
            caption="../report/chart_licences.rst",
            category="Counts",
            subcategory="Licences",
            labels={"figure": "kept items per licence"},
        ),
    log:
        f"{RESULTS}/logs/report/charts.log",
    benchmark:
        f"{RESULTS}/benchmarks/report/charts.tsv"
    conda:
        "../envs/report.yaml"
    script:
        "../scripts/report_charts.py"
