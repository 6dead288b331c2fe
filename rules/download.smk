# Downloads: registered files with a URL (dataset base_url or per-file urls) are fetched
# into raw_dir, resumed and retried, and appear only once their checksums match.


rule download:
    input:
        registry=download_registry,
        code=code("download"),
    output:
        f"{RAW}/{{download}}",
    log:
        f"{RESULTS}/logs/download/{{download}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/download/{{download}}.tsv"
    wildcard_constraints:
        download="|".join(map(re.escape, DOWNLOADS)) or "(?!)",
    retries: 0
    conda:
        "../envs/acquire.yaml"
    resources:
        downloads=1,
    params:
        url=per_download(download_url),
        local_registry=download_local_registry,
        options=config["download"],
    script:
        "../scripts/download.py"
