# Unpacking: verified archives of accepted datasets, extracted safely and atomically.
# Passwords are read inside the script from the environment or the passwords file.


rule extract:
    input:
        unpack(unpack_inputs),
        code=code("extract"),
    output:
        directory(f"{RESULTS}/unpacked/{{dataset}}/{{archive}}"),
    log:
        f"{RESULTS}/logs/extract/{{dataset}}/{{archive}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/extract/{{dataset}}/{{archive}}.tsv"
    conda:
        "../envs/acquire.yaml"
    resources:
        mem_mb=lambda wc, attempt, rulename: 2000 * mem_attempt(rulename, wc, attempt),
        runtime=lambda wc, attempt, rulename: size_runtime(
            entry_for_stem(wc.dataset, wc.archive).size,
            time_attempt(rulename, wc, attempt),
            mb_per_s=50,
        ),
    params:
        password_env=lambda wc: hp_datasets.PASSWORD_ENV[wc.dataset],
        passwords_file=config["passwords_file"],
        limits=config["unpack_limits"],
    script:
        "../scripts/extract.py"
