# Unpacking: verified archives of accepted datasets, checked safely. Plain tars are read in
# place through an index of their members; zips and compressed tars are extracted
# atomically into temporary copies (kept only with keep_unpacked: true).
# Passwords are read inside the script from the environment or the passwords file.


rule index_archive:
    input:
        unpack(unpack_inputs),
        code=code("index_archive"),
    output:
        directory(f"{RESULTS}/indexed/{{dataset}}/{{archive}}"),
    log:
        f"{RESULTS}/logs/index_archive/{{dataset}}/{{archive}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/index_archive/{{dataset}}/{{archive}}.tsv"
    conda:
        "../envs/acquire.yaml"
    resources:
        mem_mb=lambda wc, attempt: 1000 * attempt,
        runtime=lambda wc, attempt: size_runtime(
            entry_for_stem(wc.dataset, wc.archive).size, attempt, mb_per_s=100
        ),
    params:
        limits=config["unpack_limits"],
        progress_interval=config["progress_interval"],
    script:
        "../scripts/index_archive.py"


rule extract:
    input:
        unpack(unpack_inputs),
        code=code("extract"),
    output:
        unpacked_output(f"{RESULTS}/unpacked/{{dataset}}/{{archive}}"),
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
        password_env=per_dataset(password_env),
        passwords_file=config["passwords_file"],
        limits=config["unpack_limits"],
        progress_interval=config["progress_interval"],
    script:
        "../scripts/extract.py"
