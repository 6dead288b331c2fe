# The embedded demo: deterministic miniature archives of all five datasets, written
# where a user would put the real downloads (raw_dir/<dataset>/<file>).


if config["demo"]:

    rule demo_archives:
        input:
            code=code("demo_archives", "demo", "formats"),
        output:
            demo_files(),
        log:
            f"{RESULTS}/logs/demo_archives.log",
        benchmark:
            f"{RESULTS}/benchmarks/demo_archives.tsv"
        conda:
            "../envs/demo.yaml"
        params:
            datasets=demo_datasets(),
            raw_dir=RAW,
        script:
            "../scripts/demo_archives.py"
