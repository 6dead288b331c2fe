"""Sketch and edge maps checked against an independent NumPy computation and stated properties."""

import cv2
import numpy as np
import pytest

from humanprep.datasets.celeba.sketch import (
    MAPS,
    canny,
    face_rgb,
    gray_square,
    ink_fraction,
    percentile_of,
    photocopy,
    sketch_maps,
    sobel,
    xdog,
    xdog_response,
)
from humanprep.settings import defaults


def np_gaussian_blur(image, sigma):
    """Separable Gaussian in plain NumPy: kernel exp(-x^2 / 2 sigma^2), radius round(3 sigma),
    reflect-101 borders (OpenCV's default), the reference for cv2.GaussianBlur."""
    radius = max(1, int(round(3 * sigma)))
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    kernel = np.exp(-(x**2) / (2 * sigma**2))
    kernel /= kernel.sum()
    padded = np.pad(image.astype(np.float64), radius, mode="reflect")  # numpy reflect == 101
    rows = sum(w * padded[:, i : i + image.shape[1]] for i, w in enumerate(kernel))
    return sum(w * rows[i : i + image.shape[0], :] for i, w in enumerate(kernel))


def test_xdog_matches_numpy_reference():
    rng = np.random.default_rng(3)
    gray = (rng.random((40, 40)) * 255).astype(np.uint8)
    p = defaults("sketch")["xdog"]
    image = gray / 255.0
    sigma, k = p["sigma"], p["k"]
    ref = np_gaussian_blur(image, sigma) - np_gaussian_blur(image, k * sigma)
    ref /= max(np.percentile(np.abs(ref), p["percentile"]), p["min_contrast"])
    got = xdog_response(gray, sigma, k, p["percentile"], p["min_contrast"])
    # cv2 sizes its kernel slightly differently; the responses agree within 1% of the range
    assert np.abs(got - ref).max() < 0.01 * (ref.max() - ref.min())
    eps, phi = p["epsilon"], p["phi"]
    ref_map = np.where(ref >= -eps, 1.0, 1.0 + np.tanh(phi * (ref + eps))) * 255
    assert np.abs(xdog(gray, **p).astype(float) - ref_map).mean() < 3.0


def test_xdog_is_the_same_drawing_at_any_contrast_and_inks_no_flat_noise():
    """Normalised per image: a face at a third of the contrast (and darker) draws the same
    lines; a flat image with sensor noise stays blank."""
    p = defaults("sketch")["xdog"]
    step = square_image(lo=60, hi=180)
    faint = (step.astype(np.float64) / 3 + 10).round().astype(np.uint8)  # 30 .. 70
    assert np.array_equal(xdog(step, **p) < 128, xdog(faint, **p) < 128)
    assert 0 < (xdog(step, **p) < 128).mean() < 0.25
    noise = np.random.default_rng(0).normal(128, 1, (64, 64)).round().astype(np.uint8)
    assert (xdog(noise, **p) < 128).mean() < 0.01


def conv(image, ky, kx):
    """Separable correlation with reflect-101 borders (OpenCV's default)."""
    padded = np.pad(image, 1, mode="reflect")
    rows = sum(w * padded[:, i : i + image.shape[1]] for i, w in enumerate(kx))
    return sum(w * rows[i : i + image.shape[0], :] for i, w in enumerate(ky))


def np_blur3(gray):
    """OpenCV's 3x3 Gaussian for sigma 0: the fixed kernel [1, 2, 1] / 4."""
    return np.rint(conv(gray.astype(np.float64), [0.25, 0.5, 0.25], [0.25, 0.5, 0.25]))


def np_sobel_recipe(smooth):
    """MM-CelebA-HQ's create_sketch.py edge stage after its blur, in plain NumPy: Sobel
    kernels saturated to 0..255, OR of d/dy and d/dx, on the image and its inverse,
    0.75 each, rounded, inverted."""

    def edges(image):
        image = image.astype(np.float64)
        dy = np.clip(conv(image, [-1, 0, 1], [1, 2, 1]), 0, 255).astype(np.uint8)
        dx = np.clip(conv(image, [1, 2, 1], [-1, 0, 1]), 0, 255).astype(np.uint8)
        return dy | dx

    total = 0.75 * edges(smooth).astype(np.float64) + 0.75 * edges(255 - smooth)
    return 255 - np.clip(np.rint(total), 0, 255).astype(np.uint8)


def test_sobel_matches_the_recipe_in_numpy():
    rng = np.random.default_rng(5)
    gray = cv2.GaussianBlur((rng.random((48, 48)) * 255).astype(np.uint8), (0, 0), 2)
    gray = np.concatenate([gray, square_image(48)[:, :48]], axis=0)
    smooth = cv2.GaussianBlur(gray, (3, 3), 0)
    assert np.abs(smooth.astype(int) - np_blur3(gray)).max() <= 1  # fixed-point rounding
    recipe = {**defaults("sketch")["sobel"], "percentile": 0}  # create_sketch.py's own scale
    got = sobel(gray, **recipe).astype(int)
    assert np.abs(got - np_sobel_recipe(smooth).astype(int)).max() <= 1  # addWeighted rounding
    step = sobel(square_image(), **defaults("sketch")["sobel"])
    assert (step[30:34, 30:34] == 255).all() and (step[:8, :8] == 255).all()  # flat: white
    assert step[16, 30] < 128 and step[47, 30] < 128  # both edges of the square are dark


def test_ink_fraction_counts_line_pixels_per_map():
    lines = np.full((10, 10), 255, np.uint8)
    lines[0] = 0
    assert ink_fraction("xdog", lines) == 0.1
    assert ink_fraction("canny", 255 - lines) == 0.1


def square_image(size=64, lo=40, hi=220):
    gray = np.full((size, size), lo, np.uint8)
    gray[16:48, 16:48] = hi
    return gray


def test_canny_is_binary_and_lies_on_the_square_outline():
    edges = canny(square_image(), **defaults("sketch")["canny"])
    assert set(np.unique(edges)) == {0, 255}
    ys, xs = np.nonzero(edges)
    # every edge pixel is within 1 px of the square's boundary (rows/cols 15.5 and 47.5)
    near = (np.minimum(np.abs(ys - 15.5), np.abs(ys - 47.5)) <= 1.5) | (
        np.minimum(np.abs(xs - 15.5), np.abs(xs - 47.5)) <= 1.5
    )
    assert near.all()
    inside = (ys >= 14) & (ys <= 49) & (xs >= 14) & (xs <= 49)
    assert inside.all()
    assert len(ys) >= 0.9 * 4 * 32  # the outline is (almost) closed


def test_photocopy_binary_white_on_flat_dark_line_on_step():
    flat = np.full((32, 32), 128, np.uint8)
    assert (photocopy(flat, **defaults("sketch")["photocopy"]) == 255).all()
    sketch = photocopy(square_image(), **defaults("sketch")["photocopy"])
    assert set(np.unique(sketch)) <= {0, 255}
    # dark pixels sit just outside the bright square (darker than their surroundings)
    ys, xs = np.nonzero(sketch == 0)
    assert len(ys) > 0 and not ((ys >= 16) & (ys < 48) & (xs >= 16) & (xs < 48)).any()


def test_maps_have_the_configured_size_and_are_deterministic():
    rng = np.random.default_rng(0)
    rgb = (rng.random((100, 100, 3)) * 255).astype(np.uint8)
    params = {**defaults("sketch"), "size": 48}
    a, b = sketch_maps(rgb, params), sketch_maps(rgb, params)
    assert sorted(a) == sorted(MAPS) == ["canny", "photocopy", "sobel", "xdog"]
    for name in MAPS:
        assert a[name].shape == (48, 48) and a[name].dtype == np.uint8
        assert np.array_equal(a[name], b[name])


@pytest.mark.parametrize("shape, size", [((100, 80, 3), 32), ((20, 20, 3), 64)])
def test_gray_square_resizes_either_way(shape, size):
    assert gray_square(np.zeros(shape, np.uint8), size).shape == (size, size)


def np_sobel3(image):
    """(d/dx, d/dy) of OpenCV's 3x3 Sobel in plain NumPy, reflect-101 borders."""
    padded = np.pad(image.astype(np.float64), 1, mode="reflect")
    h, w = image.shape
    at = lambda dy, dx: padded[1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w]  # noqa: E731
    gx = (at(-1, 1) + 2 * at(0, 1) + at(1, 1)) - (at(-1, -1) + 2 * at(0, -1) + at(1, -1))
    gy = (at(1, -1) + 2 * at(1, 0) + at(1, 1)) - (at(-1, -1) + 2 * at(-1, 0) + at(-1, 1))
    return gx, gy


def test_canny_thresholds_are_the_images_own_gradient_percentile():
    from humanprep.datasets.celeba.sketch import canny_thresholds

    rng = np.random.default_rng(7)
    gray = cv2.GaussianBlur((rng.random((64, 64)) * 255).astype(np.uint8), (0, 0), 1.5)
    gx, gy = np_sobel3(gray)
    p90 = np.percentile(np.hypot(gx, gy), 90)
    low, high = canny_thresholds(gray, 90, 0.4, 20.0)
    assert high == pytest.approx(p90, rel=1e-4) and low == pytest.approx(0.4 * p90, rel=1e-4)
    flat = np.full((32, 32), 100, np.uint8)
    assert canny_thresholds(flat, 90, 0.4, 20.0) == (8.0, 20.0)  # the floor: nothing drawn


def test_sobel_is_scaled_to_the_images_own_percentile():
    rng = np.random.default_rng(5)
    gray = cv2.GaussianBlur((rng.random((48, 48)) * 255).astype(np.uint8), (0, 0), 2)
    p = defaults("sketch")["sobel"]
    smooth = cv2.GaussianBlur(gray, (3, 3), 0).astype(np.float64)
    both = 0
    for image in (smooth, 255 - smooth):
        gx, gy = np_sobel3(image)
        both = both + p["weight"] * np.maximum(np.maximum(gx, gy), 0)
    scale = max(np.percentile(both, p["percentile"]), p["min_contrast"])
    ref = 255 - np.clip(np.rint(both * 255 / scale), 0, 255)
    assert np.abs(sobel(gray, **p).astype(int) - ref).max() <= 1


@pytest.mark.parametrize("name", ["canny", "photocopy", "sobel"])
def test_edge_maps_draw_a_faint_face_as_the_same_face(name):
    """Adapted to each image's contrast: a face at a third of its contrast (the hazy and
    low-key case) inks about as much, where the fixed thresholds inked (almost) nothing."""
    from humanprep.datasets.celeba import demo as celeba

    rgb = celeba.face_image(0, np.random.default_rng(0))
    params = {**defaults("sketch"), "size": 256}
    faint = (rgb.astype(np.float64) / 3 + 40).round().astype(np.uint8)
    full = ink_fraction(name, sketch_maps(rgb, params)[name])
    weak = ink_fraction(name, sketch_maps(faint, params)[name])
    assert full > 0.005 and 0.6 * full < weak < 1.6 * full, (full, weak)


@pytest.mark.parametrize("q", [0.0, 50.0, 90.0, 99.0, 99.9, 100.0])
def test_percentile_of_is_numpys_bit_for_bit(q):
    """The maps' fast percentile against np.percentile itself: uniform, skewed, heavily
    tied and mostly-zero values (where the sampled bound falls on a tie), and sizes that
    are not a multiple of the sampling step."""
    rng = np.random.default_rng(7)
    n = 512 * 512 + 13
    cases = [
        rng.random(n).astype(np.float32),
        (rng.random(n) ** 6).astype(np.float32),
        rng.integers(0, 3, n).astype(np.float32),
        np.where(rng.random(n) < 0.005, rng.random(n), 0).astype(np.float32),
        rng.random(5).astype(np.float32),
    ]
    for values in cases:
        expected = np.percentile(values, q)
        assert percentile_of(values, q) == float(expected)
        assert percentile_of(values.reshape(-1, 1), q) == float(expected)


def test_face_rgb_decodes_a_large_jpeg_at_the_maps_size_close_to_a_full_decode():
    """A 1024 x 1024 JPEG comes out of libjpeg's reduced decode at 512 x 512, within a
    couple of grey levels of decoding it whole and area-resizing (the stage's result on
    pictures no larger than the maps' size, which libjpeg decodes whole: the demo's)."""
    import io

    from PIL import Image

    rng = np.random.default_rng(3)
    yy, xx = np.mgrid[0:1024, 0:1024]
    face = np.stack([(xx // 4) % 256, (yy // 4) % 256, ((xx + yy) // 8) % 256], -1)
    face = cv2.GaussianBlur(face.astype(np.uint8), (0, 0), 3)
    face = np.clip(face + rng.normal(0, 4, face.shape), 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(face).save(buf, "JPEG", quality=95)
    reduced = face_rgb(buf.getvalue(), 512)
    assert reduced.shape == (512, 512, 3)
    whole = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
    expected = gray_square(whole, 512).astype(int)
    assert np.abs(gray_square(reduced, 512).astype(int) - expected).mean() < 2.0
    small = io.BytesIO()
    Image.fromarray(face[:256, :256]).save(small, "PNG")
    assert np.array_equal(face_rgb(small.getvalue(), 512), face[:256, :256])
