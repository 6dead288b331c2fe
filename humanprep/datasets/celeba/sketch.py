"""Edge and sketch maps of face images: Canny edges, XDoG, a photocopy-style sketch and
MM-CelebA-HQ's Sobel recipe.

All maps are computed from the grayscale image resized to `size` x `size`, and are 8-bit:
Canny and photocopy are binary (0/255; lines are 255 in Canny, 0 in the sketches, which
draw dark lines on white), XDoG and Sobel are continuous. Every operation is deterministic.

Every map adapts to the image's contrast, as a fixed threshold cannot serve dark skin,
low-key, backlit and hazy faces alike (fixed Canny thresholds drew no edge at all on half
the demo faces). XDoG: its difference of Gaussians is divided by the image's own
`percentile` of |DoG| (never less than `min_contrast`, so flat noise is not amplified), and
only the dark side of edges is inked. Canny: the high threshold is the image's own
percentile of its gradient magnitude. Photocopy: the darkening against the neighbourhood
is measured in the image's own contrast. Sobel: the response is scaled to the image's own
percentile. Without that, a fixed threshold on
(1 + p) G_sigma - p G_(k sigma) in [0, 1] (Winnemoeller's form) acts on tone: dark skin,
low-key and backlit faces come out mostly black. `ink_fraction` is the criterion the tests
and the report use: the share of line pixels (below 128 in the dark-on-white maps, above
127 in Canny's white-on-black edges).
"""

import io
import math
from pathlib import Path

import cv2
import numpy as np

from humanprep import store
from humanprep.io import atomic_dir, read_jsonl
from humanprep.items import png_bytes
from humanprep.progress import Progress

MAPS = ("canny", "xdog", "photocopy", "sobel")

# The documented band of each map's ink fraction (share of line pixels) with the default
# parameters: on the shipped varied-face set (humanprep.datasets.celeba.faces: every skin tone under
# even, low-key, high-key, backlit and hazy light) and the demo faces every map is inside
# its band (tests/test_sketch_faces.py); the report shows each face's figures against it.
# Canny draws 1-pixel lines, hence its lower band.
INK_BANDS = {
    "canny": (0.005, 0.08),
    "xdog": (0.02, 0.25),
    "photocopy": (0.02, 0.25),
    "sobel": (0.01, 0.20),
}


SAMPLE_STEP = 16  # every 16th value bounds the high order statistics a percentile needs


def percentile_of(values, q):
    """np.percentile(values, q) (linear, as a float), bit for bit, without partitioning
    every value: the two order statistics it interpolates lie among the values at or above
    a bound a strided sample gives, a few percent of them for the high percentiles the maps
    use (a quarter of np.percentile's time on a 512 x 512 map)."""
    flat = np.ascontiguousarray(values).ravel()
    n = flat.size
    index = (n - 1) * (q / 100.0)
    lo = math.floor(index)
    hi, gamma = min(lo + 1, n - 1), index - lo
    sample = flat[::SAMPLE_STEP]
    k = max(0, math.floor((sample.size - 1) * (q / 100.0)) - 2 - sample.size // 200)
    bound = np.partition(sample, k)[k]
    candidates = flat[flat >= bound]
    below = n - candidates.size  # values under the bound: ranks 0 .. below - 1
    if below > lo:  # the sample's bound was too high: no shortcut
        candidates, below = flat, 0
    a, b = np.partition(candidates, [lo - below, hi - below])[[lo - below, hi - below]]
    diff = b - a  # np.percentile's own interpolation (numpy's _lerp), in the values' type
    return float(b - diff * (1 - gamma) if gamma >= 0.5 else a + diff * gamma)


def face_rgb(data, size):
    """RGB pixels of a face's image bytes, for maps of `size`: a JPEG of at least twice that
    size is decoded at a reduced scale by libjpeg itself (DCT scaling: CelebA-HQ's 1024 x 1024
    faces at 512 in a quarter of the time), then resized as any other picture."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (size, size))
        return np.asarray(image.convert("RGB"))


def gray_square(rgb, size):
    """Grayscale, resized to size x size (area filter down, cubic up)."""
    gray = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)
    shrink = gray.shape[0] > size or gray.shape[1] > size
    interpolation = cv2.INTER_AREA if shrink else cv2.INTER_CUBIC
    return cv2.resize(gray, (size, size), interpolation=interpolation)


def blur(gray, sigma):
    """Gaussian blur with an explicit kernel (6 sigma wide) and reflect-101 borders."""
    return cv2.GaussianBlur(gray, (0, 0), sigmaX=sigma, sigmaY=sigma)


def gradient_magnitude(gray):
    """L2 norm of the 3x3 Sobel gradient: the magnitude cv2.Canny thresholds."""
    dx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    dy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    return np.sqrt(dx * dx + dy * dy)


def canny_thresholds(smooth, percentile, low_ratio, min_high):
    """(low, high): high is the image's own `percentile` of its gradient magnitude (at
    least `min_high`, so flat noise draws nothing), low a fixed share of it."""
    high = max(percentile_of(gradient_magnitude(smooth), percentile), min_high)
    return low_ratio * high, high


def canny(gray, percentile, low_ratio, min_high, blur_sigma):
    smooth = blur(gray, blur_sigma) if blur_sigma > 0 else gray
    low, high = canny_thresholds(smooth, percentile, low_ratio, min_high)
    return cv2.Canny(smooth, low, high, L2gradient=True)


def dog(gray, sigma, k):
    """G_sigma - G_{k sigma} of the image scaled to [0, 1]."""
    image = gray.astype(np.float32) / 255.0
    return blur(image, sigma) - blur(image, k * sigma)


def xdog_response(gray, sigma, k, percentile, min_contrast):
    """The DoG in units of the image's own edge contrast: its `percentile` of |DoG|,
    at least `min_contrast`."""
    d = dog(gray, sigma, k)
    scale = max(percentile_of(np.abs(d), percentile), min_contrast)
    return d / scale


def xdog(gray, sigma, k, epsilon, phi, percentile, min_contrast):
    """White where the normalised DoG N >= -epsilon, else a tanh ramp to black:
    1 + tanh(phi (N + epsilon))."""
    n = xdog_response(gray, sigma, k, percentile, min_contrast)
    t = np.where(n >= -epsilon, 1.0, 1.0 + np.tanh(phi * (n + epsilon)))
    return np.clip(np.rint(t * 255.0), 0, 255).astype(np.uint8)


def photocopy(gray, sigma, threshold, percentile, min_contrast):
    """Dark where a pixel is darker than its blurred neighbourhood by more than `threshold`
    of the image's own contrast: its `percentile` of that darkening (at least
    `min_contrast` grey levels). A ratio to the neighbourhood instead inks the noise of dark
    faces and nothing of hazy ones."""
    image = gray.astype(np.float32)
    darker = np.maximum(blur(image, sigma) - image, 0.0)
    scale = max(percentile_of(darker, percentile), min_contrast)
    return np.where(darker > threshold * scale, 0, 255).astype(np.uint8)


def sobel(gray, blur_ksize, ksize, weight, percentile, min_contrast):
    """MM-CelebA-HQ create_sketch.py's edge stage: 3x3 Gaussian blur; on the image and on
    its inverse, Sobel d/dy OR Sobel d/dx saturated to 8 bits (so each side keeps only its
    rising edges); the two weighted and added; inverted: dark lines on white.

    With `percentile` > 0 the response is first scaled to the image's own contrast, as
    XDoG's: 255 at its `percentile` (at least `min_contrast`), so that dark, low-key and
    hazy faces draw lines too; `percentile` 0 is create_sketch.py's fixed scale."""
    smooth = cv2.GaussianBlur(gray, (blur_ksize, blur_ksize), 0)
    if percentile <= 0:
        return 255 - _sobel_edges(smooth, ksize, weight, cv2.CV_8U)
    both = _sobel_edges(smooth.astype(np.float32), ksize, weight, cv2.CV_32F)
    scale = max(percentile_of(both, percentile), min_contrast)
    return 255 - np.clip(np.rint(both * (255.0 / scale)), 0, 255).astype(np.uint8)


def _sobel_edges(smooth, ksize, weight, depth):
    """weight x (rising edges of the image + of its inverse), each the OR (elementwise
    max) of its d/dy and d/dx with negative values cut to 0, as CV_8U saturation does."""
    top = 255 if depth == cv2.CV_8U else 255.0

    def edges(image):
        dy = cv2.Sobel(image, depth, 0, 1, ksize=ksize)
        dx = cv2.Sobel(image, depth, 1, 0, ksize=ksize)
        if depth == cv2.CV_8U:
            return cv2.bitwise_or(dy, dx)
        return np.maximum(np.maximum(dy, dx), 0)

    return cv2.addWeighted(edges(smooth), weight, edges(top - smooth), weight, 0)


def ink_fraction(name, array):
    """Share of line pixels: above 127 in Canny's edge map, below 128 in the sketches."""
    lines = array > 127 if name == "canny" else array < 128
    return float(lines.mean())


def sketch_maps(rgb, params):
    """{"canny", "xdog", "photocopy", "sobel"} uint8 maps of one RGB image."""
    gray = gray_square(rgb, params["size"])
    return {
        "canny": canny(gray, **params["canny"]),
        "xdog": xdog(gray, **params["xdog"]),
        "photocopy": photocopy(gray, **params["photocopy"]),
        "sobel": sobel(gray, **params["sobel"]),
    }


def sketch_shard(records_path, normalised_dir, out_dir, params):
    """Write every image's {canny,xdog,photocopy,sobel}.png into the shard's containers
    (out_dir/<split>.tar, humanprep.store); return one row per image, with each map's
    reference and ink fraction (share of line pixels)."""
    shard = Path(out_dir).name
    entries = []
    records = read_jsonl(records_path)
    progress = Progress(f"{shard}: sketches", total=len(records))
    with atomic_dir(out_dir) as tmp, store.ShardWriter(tmp, shard) as writer:
        for record in records:
            progress.add()
            rgb = face_rgb(store.image_bytes(normalised_dir, record), params["size"])
            files = writer.item(record["id"])
            entry = {"id": record["id"], "split": record["split"], "size": params["size"]}
            entry["ink"] = {}
            for name, array in sketch_maps(rgb, params).items():
                entry["ink"][name] = round(ink_fraction(name, array), 4)
                entry[name] = files.write(f"{name}.png", png_bytes(array, compress_level=6))
            entries.append(writer.commit(files, entry))
    return entries
