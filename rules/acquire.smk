# Acquisition: every raw file hashed once against the checksum registry, and each
# dataset's terms accepted before anything of it is unpacked.


rule verify:
    input:
        file=raw_input,
        registry=per_dataset(registry_file),
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
        local_registry=per_dataset(local_registry_path),
        # the file's size, times, device and inode: a file swapped in place (even with its
        # old size and mtime restored) changes this, and Snakemake verifies it again
        identity=raw_identity,
    script:
        "../scripts/verify.py"


rule agreement:
    input:
        terms=per_dataset(terms_path),
        registry=per_dataset(registry_file),
        code=code("agreement"),
    output:
        f"{RESULTS}/agreements/{{dataset}}.json",
    log:
        f"{RESULTS}/logs/agreement/{{dataset}}.log",
    conda:
        "../envs/acquire.yaml"
    params:
        acceptance=per_dataset(acceptance),
    script:
        "../scripts/agreement.py"
