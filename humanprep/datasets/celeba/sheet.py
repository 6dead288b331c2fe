"""CelebA contact sheet: image | label map | sketch maps."""

from PIL import Image

from humanprep.datasets.celeba.formats import PARTS as CELEBA_PARTS
from humanprep.report import draw
from humanprep.report.sample import representative
from humanprep.report.sheets import base_image, load, sheet

# CelebAMask-HQ's own colours for its 18 parts (0 = background), in PARTS order.
CELEBA_PALETTE = dict(
    enumerate(
        [
            (0, 0, 0),
            (204, 0, 0),
            (76, 153, 0),
            (204, 204, 0),
            (51, 51, 255),
            (204, 0, 204),
            (0, 255, 255),
            (255, 204, 204),
            (102, 51, 0),
            (255, 0, 0),
            (102, 204, 0),
            (255, 255, 0),
            (0, 0, 153),
            (0, 0, 204),
            (255, 51, 153),
            (0, 204, 204),
            (0, 51, 0),
            (255, 153, 51),
            (0, 204, 0),
        ]  # fmt: skip
    )
)
assert len(CELEBA_PALETTE) == len(CELEBA_PARTS) + 1


def celeba_strip(record, root, sketch, sketch_root, height=128):
    """CelebA: image | label map (CelebAMask-HQ colours) | each sketch map."""
    image, _ = base_image(record, root, height)
    panels = [draw.caption(image, [record["id"]])]
    labels = load(root, record["celeba"]["label_map"]).resize(image.size, Image.Resampling.NEAREST)
    panels.append(draw.caption(draw.colourise(labels, CELEBA_PALETTE), ["label map"]))
    ink = (sketch or {}).get("ink", {})
    for name in sorted(k for k in (sketch or {}) if k not in ("id", "split", "size", "ink")):
        label = f"{name} ink {100 * ink[name]:.1f}%" if name in ink else name
        panels.append(
            draw.caption(draw.fit_height(load(sketch_root, sketch[name]), height)[0], [label])
        )
    return draw.hstack(panels)


def contact_sheet(records, root, derived, n=6):
    sketches, sketch_root = derived["sketch"]
    picked = representative(records, n)
    ids = {r["id"] for r in picked}
    by_id = {s["id"]: s for s in sketches if s["id"] in ids}
    strips = [celeba_strip(r, root, by_id.get(r["id"]), sketch_root) for r in picked]
    return sheet(strips, "CelebA: image | label map | sketch maps", columns=1)
