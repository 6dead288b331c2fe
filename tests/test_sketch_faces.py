"""The sketches hold on faces across skin tones and lighting: a generated (shippable) set of
faces, every skin tone under even, low-key, high-key, backlit and low-contrast light, and
the demo's own faces. The criterion: every map's ink fraction (share of line pixels) inside
its documented band (sketch.INK_BANDS) on every face: no blank map."""

import cv2
import numpy as np
import pytest

from humanprep.datasets.celeba import demo as celeba
from humanprep.datasets.celeba import faces
from humanprep.datasets.celeba.sketch import INK_BANDS, MAPS, ink_fraction, sketch_maps, xdog
from humanprep.settings import defaults

XDOG = defaults("sketch")["xdog"]


@pytest.fixture(scope="module")
def face_set():
    return faces.test_set(lambda size: celeba.part_masks(0, size), 256)


def luminance(rgb):
    return rgb.astype(np.float64) @ [0.299, 0.587, 0.114]


def test_the_set_spans_tones_and_lighting(face_set):
    assert len(face_set) == len(faces.SKIN_TONES) * len(faces.LIGHTING) == 30
    skin = celeba.part_masks(0, 256)["skin"] > 0
    cheek = {(t, lt): luminance(rgb)[skin].mean() for t, lt, rgb in face_set}
    whole = {(t, lt): luminance(rgb) for t, lt, rgb in face_set}
    assert cheek[("very_light", "even")] > 3 * cheek[("very_dark", "even")]
    assert whole[("medium", "low_key")].mean() < 60 < 180 < whole[("medium", "high_key")].mean()
    backlit = whole[("medium", "backlit")]
    assert backlit[~skin].max() > 240 and backlit[skin].mean() < 100  # face in its own shadow
    assert whole[("medium", "low_contrast")].std() < 0.4 * whole[("medium", "even")].std()


def demo_faces():
    """The demo's CelebA images as its archive holds them (JPEG), by id."""
    from humanprep.demo import figure

    rng = np.random.default_rng(0)
    out = []
    for k in celeba.IDS:  # the order images_archive_files draws them in
        data = figure.jpeg_bytes(celeba.face_image(k, rng))
        bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        out.append((f"demo {k}", celeba.LOOKS[k][1], cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)))
    return out


@pytest.mark.parametrize("name", MAPS)
def test_every_map_inside_its_band_on_every_face(face_set, name):
    params = {**defaults("sketch"), "size": 512}
    low, high = INK_BANDS[name]
    outside = {}
    for tone, lighting, rgb in [*face_set, *demo_faces()]:
        ink = ink_fraction(name, sketch_maps(rgb, params)[name])
        if not low <= ink <= high:
            outside[(tone, lighting)] = round(ink, 4)
    assert not outside, outside


def test_winnemoeller_thresholds_fail_this_set(face_set):
    """The set is hard enough: the fixed-threshold XDoG the workflow used before (epsilon 0.75,
    phi 10 on (1 + p) G_sigma - p G_(k sigma), p 20) inks most of a dark or low-key face."""

    def old_xdog(gray):
        image = gray.astype(np.float32) / 255.0
        g1 = cv2.GaussianBlur(image, (0, 0), 0.8)
        g2 = cv2.GaussianBlur(image, (0, 0), 1.28)
        d = 21 * g1 - 20 * g2
        return np.where(d >= 0.75, 1.0, 1.0 + np.tanh(10 * (d - 0.75))) * 255

    gray = {(t, lt): luminance(rgb) for t, lt, rgb in face_set}
    assert (old_xdog(gray[("very_dark", "even")]) < 128).mean() > 0.5
    assert (old_xdog(gray[("light", "low_key")]) < 128).mean() > 0.5
    low, high = INK_BANDS["xdog"]
    assert (
        low
        < (
            xdog(gray[("very_dark", "even")].astype(np.uint8), **defaults("sketch")["xdog"]) < 128
        ).mean()
        < high
    )
