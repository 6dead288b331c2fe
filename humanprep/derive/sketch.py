"""Edge and sketch maps of face images: Canny edges, XDoG and a photocopy-style sketch.

All maps are computed from the grayscale image resized to `size` x `size`, and are 8-bit:
Canny and photocopy are binary (0/255; lines are 255 in Canny, 0 in the sketches, which
draw dark lines on white), XDoG is continuous. Every operation is deterministic.
"""

import cv2
import numpy as np

DEFAULTS = {
    "size": 512,
    "canny": {"low": 100, "high": 200, "blur_sigma": 1.0},
    "xdog": {"sigma": 0.8, "k": 1.6, "p": 20.0, "epsilon": 0.75, "phi": 10.0},
    "photocopy": {"sigma": 8.0, "threshold": 0.92},
}


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


def xdog_response(gray, sigma, k, p):
    """(1 + p) G_sigma - p G_{k sigma} of the image scaled to [0, 1]."""
    image = gray.astype(np.float32) / 255.0
    return (1.0 + p) * blur(image, sigma) - p * blur(image, k * sigma)


def xdog(gray, sigma, k, p, epsilon, phi):
    """Winnemoeller's XDoG: white above epsilon, a tanh ramp to black below it."""
    d = xdog_response(gray, sigma, k, p)
    t = np.where(d >= epsilon, 1.0, 1.0 + np.tanh(phi * (d - epsilon)))
    return np.clip(np.rint(t * 255.0), 0, 255).astype(np.uint8)


def photocopy(gray, sigma, threshold):
    """Dark where a pixel is darker than `threshold` times its blurred neighbourhood."""
    image = gray.astype(np.float32)
    ratio = image / np.maximum(blur(image, sigma), 1.0)
    return np.where(ratio >= threshold, 255, 0).astype(np.uint8)


def sketch_maps(rgb, params):
    """{"canny", "xdog", "photocopy"} uint8 maps of one RGB image."""
    gray = gray_square(rgb, params["size"])
    return {
        "canny": canny(gray, **params["canny"]),
        "xdog": xdog(gray, **params["xdog"]),
        "photocopy": photocopy(gray, **params["photocopy"]),
    }
