# humanprep: gated human-image datasets -> verified, normalised, versioned releases.
# With no --configfile, the embedded demo (config/config.yaml, and each dataset's
# humanprep/datasets/<name>/demo.yaml) is built end to end. A user's config is never layered
# on the demo: it starts from the config schema's defaults alone
# (humanprep/schemas/config.schema.yaml with each dataset's config.yaml). The demo's
# per-dataset parts are merged in by rules/common.smk.
import os

if not workflow.overwrite_configfiles:

    configfile: os.path.join(workflow.basedir, "config", "config.yaml")


report: "report/workflow.rst"


include: "rules/common.smk"


# Archive passwords: read from these variables inside the unpack step only (those set; a
# missing one is one line at onstart, so dry runs need none).
envvars:
    *password_envvars(),


wildcard_constraints:
    dataset="|".join(hp_datasets.DATASETS),
    file=r"[^/]+",
    archive=r"[^/]+",
    shard=r"shard-\d{5}",


include: "rules/demo.smk"
include: "rules/download.smk"
include: "rules/acquire.smk"
include: "rules/unpack.smk"
include: "rules/shard.smk"
include: "rules/normalise.smk"
include: "rules/derive.smk"
include: "rules/coco.smk"
include: "rules/dedup.smk"
include: "rules/release.smk"
include: "rules/report.smk"


# Bookkeeping that reads a few small files: not worth a cluster job.
localrules:
    all,
    agreement,
    normalise_summary,
    fullbody_summary,
    sketch_summary,
    views_summary,


if config["download"]["on_submit_host"]:

    localrules:
        download,


rule all:
    default_target: True
    input:
        final_targets(),
        report_targets(),
    localrule: True


onsuccess:
    print(
        hp_preflight.closing_message(
            f"{RESULTS}/release/{RELEASE_NAME}.json",
            f"{config['release']['dir']}/{RELEASE_NAME}",
            RESULTS,
            STARTED,
        )
    )
