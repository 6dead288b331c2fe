"""Edge and sketch maps of face images: Canny edges, XDoG, a photocopy-style sketch and
MM-CelebA-HQ's Sobel recipe.

All maps are computed from the grayscale image resized to `size` x `size`, and are 8-bit:
Canny and photocopy are binary (0/255; lines are 255 in Canny, 0 in the sketches, which
draw dark lines on white), XDoG and Sobel are continuous. Every operation is deterministic.

XDoG adapts to the image's contrast: its difference of Gaussians is divided by the image's
own `percentile` of |DoG| (never less than `min_contrast`, so flat noise is not amplified),
and only the dark side of edges is inked. Without that, a fixed threshold on
(1 + p) G_sigma - p G_(k sigma) in [0, 1] (Winnemoeller's form) acts on tone: dark skin,
low-key and backlit faces come out mostly black. `ink_fraction` is the criterion the tests
and the report use: the share of line pixels (below 128 in the dark-on-white maps, above
127 in Canny's white-on-black edges).
"""

from pathlib import Path

import cv2
import numpy as np

from humanprep import store
from humanprep.io import atomic_dir, read_jsonl
from humanprep.items import png_bytes
from humanprep.progress import Progress

MAPS = ("canny", "xdog", "photocopy", "sobel")


def gray_square(rgb, size):
    """Grayscale, resized to size x size (area filter down, cubic up)."""
    gray = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)
    shrink = gray.shape[0] > size or gray.shape[1] > size
    interpolation = cv2.INTER_AREA if shrink else cv2.INTER_CUBIC
    return cv2.resize(gray, (size, size), interpolation=interpolation)


def blur(gray, sigma):
    """Gaussian blur with an explicit kernel (6 sigma wide) and reflect-101 borders."""
    return cv2.GaussianBlur(gray, (0, 0), sigmaX=sigma, sigmaY=sigma)


def canny(gray, low, high, blur_sigma):
    smooth = blur(gray, blur_sigma) if blur_sigma > 0 else gray
    return cv2.Canny(smooth, low, high, L2gradient=True)


def dog(gray, sigma, k):
    """G_sigma - G_{k sigma} of the image scaled to [0, 1]."""
    image = gray.astype(np.float32) / 255.0
    return blur(image, sigma) - blur(image, k * sigma)


def xdog_response(gray, sigma, k, percentile, min_contrast):
    """The DoG in units of the image's own edge contrast: its `percentile` of |DoG|,
    at least `min_contrast`."""
    d = dog(gray, sigma, k)
    scale = max(float(np.percentile(np.abs(d), percentile)), min_contrast)
    return d / scale


def xdog(gray, sigma, k, epsilon, phi, percentile, min_contrast):
    """White where the normalised DoG N >= -epsilon, else a tanh ramp to black:
    1 + tanh(phi (N + epsilon))."""
    n = xdog_response(gray, sigma, k, percentile, min_contrast)
    t = np.where(n >= -epsilon, 1.0, 1.0 + np.tanh(phi * (n + epsilon)))
    return np.clip(np.rint(t * 255.0), 0, 255).astype(np.uint8)


def photocopy(gray, sigma, threshold):
    """Dark where a pixel is darker than `threshold` times its blurred neighbourhood."""
    image = gray.astype(np.float32)
    ratio = image / np.maximum(blur(image, sigma), 1.0)
    return np.where(ratio >= threshold, 255, 0).astype(np.uint8)


def sobel(gray, blur_ksize, ksize, weight):
    """MM-CelebA-HQ create_sketch.py's edge stage: 3x3 Gaussian blur; on the image and on
    its inverse, Sobel d/dy OR Sobel d/dx saturated to 8 bits (so each side keeps only its
    rising edges); the two weighted and added; inverted: dark lines on white."""
    smooth = cv2.GaussianBlur(gray, (blur_ksize, blur_ksize), 0)

    def edges(image):
        dy = cv2.Sobel(image, cv2.CV_8U, 0, 1, ksize=ksize)
        dx = cv2.Sobel(image, cv2.CV_8U, 1, 0, ksize=ksize)
        return cv2.bitwise_or(dy, dx)

    both = cv2.addWeighted(edges(smooth), weight, edges(255 - smooth), weight, 0)
    return 255 - both


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
            image = store.record_image(normalised_dir, record)
            rgb = np.asarray(image.convert("RGB"))
            files = writer.item(record["id"])
            entry = {"id": record["id"], "split": record["split"], "size": params["size"]}
            entry["ink"] = {}
            for name, array in sketch_maps(rgb, params).items():
                entry["ink"][name] = round(ink_fraction(name, array), 4)
                entry[name] = files.write(f"{name}.png", png_bytes(array, compress_level=6))
            entries.append(writer.commit(files, entry))
    return entries
