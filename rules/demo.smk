# The embedded demo: deterministic miniature archives of all five datasets, written
# where a user would put the real downloads (raw_dir/<dataset>/<file>).


if demo_files():

    # Made where downloads are (the submit host): the demo's stand-in for fetching them.
    rule demo_archives:
        input:
            code=code("demo_archives"),
        output:
            demo_files(),
        log:
            f"{RESULTS}/logs/demo_archives.log",
        benchmark:
            f"{RESULTS}/benchmarks/demo_archives.tsv"
        localrule: True
        conda:
            "../envs/demo.yaml"
        params:
            datasets=demo_datasets(),
            raw_dir=lambda wc, output: str(Path(output[0]).parents[1]),
        script:
            "../scripts/demo_archives.py"
