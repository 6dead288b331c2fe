"""Build the configured release into releases/<name>-<version>/ and write a receipt."""

import logging
from pathlib import Path

from humanprep.dedup import policy
from humanprep.io import read_json, sha256_file, write_json
from humanprep.release.build import build_release
from humanprep.release.provenance import code_version, public_config, tool_versions

log = logging.getLogger(__name__)
REPO = Path(__file__).resolve().parents[2]


def inputs(verified_files):
    """Every raw input with its checksums, dataset from its path verified/<dataset>/."""
    rows = [{**read_json(p), "dataset": Path(p).parent.name} for p in verified_files]
    # a file's identity (inode, times) is this machine's: not part of what was released
    rows = [{k: v for k, v in r.items() if k != "identity"} for r in rows]
    return sorted(rows, key=lambda r: (r["dataset"], r["file"]))


def dedup_spec(release, datasets, dedup_inputs):
    """The release.dedup policy and the items it drops (pairs, clusters: results/dedup/)."""
    name = release["dedup"]
    if name == "none":
        return {"policy": "none", "dropped": {}}
    pairs, clusters = dedup_inputs
    dropped = policy.dropped(name, pairs, clusters, datasets, release["splits"])
    return {"policy": name, "dropped": dropped}


def make_spec(smk):
    p = smk.params
    release = p.release
    name = f"{release['name']}-{release['version']}"
    derived = {Path(f).parent.name: str(Path(f).parent) for f in smk.input.derived}
    agreements = {Path(a).stem: read_json(a) for a in smk.input.agreements}
    return {
        "meta": {
            "name": release["name"],
            "version": release["version"],
            "description": release["description"],
            "release": name,
        },
        "datasets": p.datasets,
        "normalised": p.normalised,
        "derived": derived,
        "derived_summaries": {
            k: read_json(Path(v, "summary.json"))
            for k, v in derived.items()
            if Path(v, "summary.json").exists()
        },
        "coco": {Path(d).name: d for d in smk.input.coco},
        "coco_options": p.config["coco"],
        "splits": release["splits"],
        "licences": release["licences"],
        "link": release["link"],
        "dedup": dedup_spec(release, p.datasets, list(getattr(smk.input, "dedup", []))),
        "deepprivacy2": release["deepprivacy2"],
        "agreements": agreements,
        "terms_dir": str(REPO / "terms"),
        "summaries": {Path(s).parent.name: read_json(s) for s in smk.input.summaries},
        "provenance": {
            "release": name,
            "inputs": inputs(smk.input.verified),
            "agreements": [agreements[d] for d in sorted(agreements)],
            "config": public_config(p.config),
            "code": code_version(REPO),
            "tools": tool_versions(),
        },
    }


def main(smk):
    dest = Path(smk.params.dest)
    status, counts = build_release(dest, make_spec(smk))
    log.info("%s: %s (%s)", dest, status, ", ".join(f"{d} {n}" for d, n in counts.items()))
    receipt = {
        "release": str(dest),
        "status": status,
        "items": counts,
        "SHA256SUMS": sha256_file(dest / "SHA256SUMS"),
    }
    write_json(smk.output[0], receipt)
