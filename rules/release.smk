# The versioned release: releases/<name>-<version>/ assembled from every stage, with
# SHA256SUMS, manifest, provenance, card and attribution. A released version is never
# overwritten: the receipt below is Snakemake's output, the release folder is immutable.


rule release:
    input:
        summaries=expand(
            f"{RESULTS}/normalised/{{dataset}}/summary.json",
            dataset=release_datasets(),
        ),
        derived=release_derived(),
        coco=release_coco(),
        agreements=expand(
            f"{RESULTS}/agreements/{{dataset}}.json", dataset=release_datasets()
        ),
        verified=[v for d in release_datasets() for v in verified(d)],
        terms=[terms_path(d) for d in release_datasets()],
        dedup=release_dedup(),
        code=code("release"),
    output:
        f"{RESULTS}/release/{RELEASE_NAME}.json",
    log:
        f"{RESULTS}/logs/release/{RELEASE_NAME}.log",
    benchmark:
        f"{RESULTS}/benchmarks/release/{RELEASE_NAME}.tsv"
    conda:
        "../envs/release.yaml"
    resources:
        mem_mb=lambda wc, attempt, rulename: 2000 * mem_attempt(rulename, wc, attempt),
    params:
        dest=f"{config['release']['dir']}/{RELEASE_NAME}",
        release=config["release"],
        datasets=release_datasets(),
        normalised=normalised_root,
        config=config,
    script:
        "../scripts/release.py"
