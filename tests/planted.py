"""Planted near-duplicates and look-alike non-duplicates, to measure dedup recall and
precision (tests/test_dedup.py, bench/dedup.py).

Originals are drawn people of the demo (humanprep.demo.figure, the SHHQ outfits). Each
duplicate is one original after one edit a re-publisher makes (humanprep.demo.edits); each
look-alike is a different photo that shares the pose and outfit, the colours, or the
background.
"""

import cv2
import numpy as np
from PIL import Image

from humanprep.datasets.shhq import demo as shhq
from humanprep.demo import figure
from humanprep.demo.edits import EDIT, EDITS

SCALE = 2  # 256x512 images: the demo's SHHQ drawing at twice its size
LOOKALIKES = ("same_pose_outfit", "same_colours", "same_background")


def _labels(rng, outfit):
    labels, _ = shhq.draw(outfit, rng)
    return np.kron(labels, np.ones((SCALE, SCALE), np.uint8))


def _place(labels, scale, dx, dy):
    height, width = labels.shape
    cx, cy = width / 2, height / 2
    matrix = np.array([[scale, 0, cx - scale * cx + dx], [0, scale, cy - scale * cy + dy]])
    return cv2.warpAffine(labels, matrix, (width, height), flags=cv2.INTER_NEAREST)


def _frame(labels, rng):
    """An original's framing: 0.7-1.05 times the drawn size, anywhere across the middle."""
    height, width = labels.shape
    scale = rng.uniform(0.7, 1.05)
    return _place(labels, scale, rng.uniform(-0.3, 0.3) * width, rng.uniform(-0.05, 0.05) * height)


def _reframe(labels, rng):
    """The same person photographed again: another distance (0.8-0.9 or 1.1-1.2 times the
    size) and place (15-25% of the width to either side)."""
    height, width = labels.shape
    scale = rng.choice([rng.uniform(0.8, 0.9), rng.uniform(1.1, 1.2)])
    dx = rng.choice([-1, 1]) * rng.uniform(0.15, 0.25) * width
    return _place(labels, scale, dx, rng.uniform(-0.04, 0.04) * height)


def _background(rng, shape):
    base = rng.uniform(70, 210, size=3)
    rows = np.linspace(-25, 25, shape[0])[:, None, None] * rng.choice([-1, 1])
    cols = np.linspace(-10, 10, shape[1])[None, :, None] * rng.choice([-1, 1])
    return base + rows + cols


def _render(labels, colours, background, rng):
    return Image.fromarray(figure.photo(labels, colours, rng, background=background))


class Scene:
    """One original photo and the parts a look-alike may share with it."""

    def __init__(self, rng):
        self.outfit = int(rng.choice(sorted(shhq.OUTFITS)))
        self.labels = _frame(_labels(rng, self.outfit), rng)
        self.colours = figure.random_colours(rng)
        self.background = _background(rng, self.labels.shape)
        self.image = _render(self.labels, self.colours, self.background, rng)

    def lookalike(self, kind, rng):
        """A different photo sharing one aspect of this one: the same pose and outfit
        (new colours and background), the same clothes' colours (pose drawn again, new
        background) or the same background (another outfit and person); the person is
        framed anew each time."""
        colours, background = figure.random_colours(rng), _background(rng, self.labels.shape)
        if kind == "same_pose_outfit":
            labels = self.labels
        elif kind == "same_colours":
            labels, colours = _frame(_labels(rng, self.outfit), rng), self.colours
        elif kind == "same_background":
            others = sorted(set(shhq.OUTFITS) - {self.outfit})
            labels = _frame(_labels(rng, int(rng.choice(others))), rng)
            background = self.background
        else:
            raise ValueError(f"unknown look-alike kind {kind}")
        return _render(_reframe(labels, rng), colours, background, rng)


def planted_set(n_originals, seed=0):
    """(images, truth): images is a list of (name, PIL image); truth lists
    (name_a, name_b, kind) for every planted duplicate and every look-alike pair."""
    rng = np.random.default_rng(seed)
    images, truth = [], []
    for k in range(n_originals):
        scene = Scene(rng)
        original = f"o{k:04d}"
        images.append((original, scene.image))
        for edit in EDITS:
            name = f"{original}-{edit}"
            images.append((name, EDIT[edit](scene.image, rng)))
            truth.append((original, name, edit))
        for kind in LOOKALIKES:
            name = f"{original}-{kind}"
            images.append((name, scene.lookalike(kind, rng)))
            truth.append((original, name, kind))
    return images, truth


def planted_items(n_originals, seed=0):
    """(dedup Items of the planted set's fingerprints, truth as (index a, index b, kind))."""
    from humanprep.dedup import find
    from humanprep.dedup.fingerprint import fingerprint

    images, truth = planted_set(n_originals, seed)
    items = find.Items()
    for name, image in images:
        record = {"dataset": "planted", "id": name, "split": "all"}
        items.add({**record, "image": {"fingerprint": fingerprint(image)}}, "planted")
    index = {name: k for k, name in enumerate(items.id)}
    return items, [(index[a], index[b], kind) for a, b, kind in truth]


def measure(items, truth, threshold, dhash_threshold, mirror=False, crops=None):
    """{kind: fraction of its planted pairs that dedup reports}: recall for the edits,
    the false-pair rate (1 - precision) for the look-alikes; plus `unrelated_pairs`, pairs
    reported between images of different originals."""
    from humanprep.dedup import find

    pairs = find.find_pairs(items, threshold, dhash_threshold, mirror, crops)
    found = {(a, b) for a, b, *_ in pairs}
    rates = {}
    for kind in (*EDITS, *LOOKALIKES):
        rows = [(min(a, b), max(a, b)) for a, b, k in truth if k == kind]
        rates[kind] = sum(p in found for p in rows) / len(rows)
    origin = [name.split("-")[0] for name in items.id]
    rates["unrelated_pairs"] = sum(1 for a, b in found if origin[a] != origin[b])
    return rates
