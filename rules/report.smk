# Pictures and pages for `snakemake --report report.html`: a contact sheet per dataset,
# derived outputs beside their sources, quarantine and fixes, counts, throughput per stage
# and the release page; each a report() output with a caption from report/. The targets:
# report_targets() in rules/common.smk.


rule report_sheet:
    input:
        unpack(sheet_inputs),
        code=code("report_sheet"),
    output:
        report(
            f"{RESULTS}/report/sheets/{{dataset}}.png",
            caption="../report/sheet.rst",
            category="Contact sheets",
            subcategory="{dataset}",
            labels={"figure": "{dataset} contact sheet"},
        ),
    log:
        f"{RESULTS}/logs/report/sheet_{{dataset}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/report/sheet_{{dataset}}.tsv"
    conda:
        "../envs/report.yaml"
    params:
        dataset="{dataset}",
        normalised=folder_of("files"),
    script:
        "../scripts/report_sheet.py"


# The pages of derived subsets, for the (enabled) dataset whose descriptor derives each.
COMPOSITED = subset_owner("composite")
FULLBODY = subset_owner("fullbody")


if subset_if_enabled("composite", "jsonl"):

    rule report_composites:
        input:
            records=shard_outputs(COMPOSITED, "jsonl"),
            files=shard_folders(COMPOSITED),
            composites=subset_if_enabled("composite", "jsonl"),
            composite_files=derived_folders(f"{COMPOSITED}-composite"),
            code=code("report_composites"),
        output:
            report(
                f"{RESULTS}/report/derived/{COMPOSITED}_composites.png",
                caption="../report/composites.rst",
                category="Derived beside sources",
                subcategory=subset_title("composite"),
                labels={"figure": "originals and composites"},
            ),
        log:
            f"{RESULTS}/logs/report/composites.log",
        benchmark:
            f"{RESULTS}/benchmarks/report/composites.tsv"
        conda:
            "../envs/report.yaml"
        params:
            dataset=COMPOSITED,
            normalised=folder_of("records"),
            composites=folder_of("composites"),
        script:
            "../scripts/report_composites.py"


if subset_if_enabled("fullbody", "jsonl"):

    rule report_fullbody:
        input:
            records=shard_outputs(FULLBODY, "jsonl"),
            files=shard_folders(FULLBODY),
            decisions=subset_if_enabled("fullbody", "decisions.jsonl"),
            code=code("report_fullbody"),
        output:
            accepted=report(
                f"{RESULTS}/report/fullbody/accepted.png",
                caption="../report/fullbody_accepted.rst",
                category="Derived beside sources",
                subcategory=subset_title("fullbody"),
                labels={"figure": "accepted"},
            ),
            rejected=report(
                f"{RESULTS}/report/fullbody/rejected.png",
                caption="../report/fullbody_rejected.rst",
                category="Derived beside sources",
                subcategory=subset_title("fullbody"),
                labels={"figure": "rejected, with reasons"},
            ),
        log:
            f"{RESULTS}/logs/report/fullbody.log",
        benchmark:
            f"{RESULTS}/benchmarks/report/fullbody.tsv"
        conda:
            "../envs/report.yaml"
        params:
            dataset=FULLBODY,
            normalised=folder_of("records"),
        script:
            "../scripts/report_fullbody.py"


rule report_quarantine:
    input:
        quarantine=[q for d in ENABLED for q in shard_outputs(d, "quarantine.jsonl")],
        records=[r for d in ENABLED for r in shard_outputs(d, "jsonl")],
        code=code("report_quarantine"),
    output:
        chart=report(
            f"{RESULTS}/report/quarantine/reasons.png",
            caption="../report/quarantine.rst",
            category="Quarantine and fixes",
            labels={"figure": "counts by reason and fix kind"},
        ),
        examples=report(
            f"{RESULTS}/report/quarantine/examples.html",
            caption="../report/quarantine.rst",
            category="Quarantine and fixes",
            labels={"figure": "examples per reason"},
        ),
    log:
        f"{RESULTS}/logs/report/quarantine.log",
    benchmark:
        f"{RESULTS}/benchmarks/report/quarantine.tsv"
    conda:
        "../envs/report.yaml"
    script:
        "../scripts/report_quarantine.py"


rule report_charts:
    input:
        summaries=expand(
            f"{RESULTS}/normalised/{{dataset}}/summary.json", dataset=ENABLED
        ),
        records=[r for d in ENABLED for r in shard_outputs(d, "jsonl")],
        fullbody=subset_if_enabled("fullbody", "summary"),
        decisions=subset_if_enabled("fullbody", "decisions.jsonl"),
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
            labels={"figure": "garments per category"},
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


rule report_throughput:
    input:
        # Every benchmarked job must have ended before the table is made: all final targets.
        finished=final_targets(),
        plans=expand(f"{RESULTS}/shards/{{dataset}}", dataset=ENABLED),
        summaries=expand(
            f"{RESULTS}/normalised/{{dataset}}/summary.json", dataset=ENABLED
        ),
        code=code("report_throughput"),
    output:
        chart=report(
            f"{RESULTS}/report/throughput/items_per_s.png",
            caption="../report/throughput.rst",
            category="Throughput",
            labels={"figure": "items/s per stage"},
        ),
        table=report(
            f"{RESULTS}/report/throughput/stages.html",
            caption="../report/throughput.rst",
            category="Throughput",
            labels={"figure": "table per stage"},
        ),
    log:
        f"{RESULTS}/logs/report/throughput.log",
    benchmark:
        f"{RESULTS}/benchmarks/report/throughput.tsv"
    conda:
        "../envs/report.yaml"
    params:
        benchmarks=lambda wc, output: str(Path(output.chart).parents[2] / "benchmarks"),
    script:
        "../scripts/report_throughput.py"


rule report_release:
    input:
        receipt=final_targets()[0],
        summaries=expand(
            f"{RESULTS}/normalised/{{dataset}}/summary.json", dataset=ENABLED
        ),
        code=code("report_release"),
    output:
        page=report(
            f"{RESULTS}/report/release/{RELEASE_NAME}.html",
            caption="../report/release.rst",
            category="Release",
            labels={"figure": RELEASE_NAME},
        ),
        # the report's first screen (report/workflow.rst embeds it)
        headline=f"{RESULTS}/report/headline.html",
    log:
        f"{RESULTS}/logs/report/release.log",
    benchmark:
        f"{RESULTS}/benchmarks/report/release.tsv"
    conda:
        "../envs/report.yaml"
    params:
        enabled=ENABLED,
    script:
        "../scripts/report_release.py"
