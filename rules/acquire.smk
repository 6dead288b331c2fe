# Acquisition: every raw file hashed once against the checksum registry, and each
# dataset's terms accepted before anything of it is unpacked.


rule verify:
    input:
        file=raw_input,
        registry=lambda wc: str(registry_path(wc.dataset)),
        code=code("verify"),
    output:
        f"{RESULTS}/verified/{{dataset}}/{{file}}.json",
    log:
        f"{RESULTS}/logs/verify/{{dataset}}/{{file}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/verify/{{dataset}}/{{file}}.tsv"
    conda:
        "../envs/acquire.yaml"
    resources:
        runtime=lambda wc, attempt, rulename: size_runtime(
            entry_for_file(wc.dataset, wc.file).size,
            time_attempt(rulename, wc, attempt),
            mb_per_s=200,
        ),
    params:
        local_registry=lambda wc: local_registry_path(wc.dataset),
    script:
        "../scripts/verify.py"


rule agreement:
    input:
        terms=lambda wc: terms_path(wc.dataset),
        registry=lambda wc: str(registry_path(wc.dataset)),
        code=code("agreement"),
    output:
        f"{RESULTS}/agreements/{{dataset}}.json",
    log:
        f"{RESULTS}/logs/agreement/{{dataset}}.log",
    conda:
        "../envs/acquire.yaml"
    params:
        acceptance=lambda wc: config["agreements"].get(wc.dataset),
    script:
        "../scripts/agreement.py"
