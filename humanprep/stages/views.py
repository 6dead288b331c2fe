"""HuGe100K views of one shard: each view with its camera, the front view, the orbit check."""

import logging

from humanprep.derive.views import front_view, orbit_check
from humanprep.io import read_jsonl, write_jsonl

log = logging.getLogger(__name__)


def describe(record, tolerance):
    h = record["huge100k"]
    w2cs = [c["w2c"] for c in h["cameras"]]
    front, score = front_view(h["smpl"]["global_orient"], w2cs)
    return {
        "id": record["id"],
        "views": [
            {"view": i, "image": image, **camera}
            for i, (image, camera) in enumerate(zip(h["views"], h["cameras"], strict=True))
        ],
        "front_view": front,
        "front_score": score,
        "front_image": h["views"][front],
        "orbit": orbit_check(w2cs, tolerance),
    }


def main(smk):
    entries = [describe(r, smk.params.orbit_tolerance) for r in read_jsonl(smk.input.records)]
    for entry in entries:
        for outlier in entry["orbit"]["outliers"]:
            log.warning("%s: camera %s off the orbit: %s", entry["id"], outlier["view"], outlier)
    write_jsonl(smk.output[0], entries)
    log.info("%s: %d subjects", smk.wildcards.shard, len(entries))
