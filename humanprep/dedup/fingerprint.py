"""Perceptual fingerprints of an already decoded image (no second decode).

Two independent 64-bit hashes, computed as the `imagehash` library computes them (the tests
use it as the oracle), except that the downscaling first box-reduces by an integer factor
(Pillow's `reducing_gap`, here 3: "nearly indistinguishable" from a full Lanczos pass, and
about 10x cheaper on a 1024x512 image), so that fingerprints stay a few percent of
normalisation time:
- `phash`: grayscale (ITU-R 601 luma), Lanczos-resized to 32x32, 2-D DCT-II; bit i of the
  8x8 lowest frequencies (row-major, first bit = most significant) is 1 when that
  coefficient exceeds their median.
- `dhash`: grayscale resized to 9x8; bit = pixel brighter than its left neighbour.
- `phash_mirror`: the pHash of the left-right mirrored image, from the same DCT (mirroring
  negates the odd horizontal frequencies), so `dedup.mirror` costs no extra pass.
Each is written as 16 lowercase hex digits.
"""

import numpy as np
from PIL import Image

PHASH_SIZE = 32
BITS = 8
REDUCING_GAP = 3.0


def _dct_matrix(n, k):
    """The first k rows of the (unnormalised) DCT-II of length n: C @ x = dct(x) / 2."""
    rows = np.arange(k)[:, None]
    cols = np.arange(n)[None, :]
    return np.cos(np.pi * rows * (2 * cols + 1) / (2 * n))


_DCT = _dct_matrix(PHASH_SIZE, BITS)


def bits_to_hex(bits):
    """Row-major boolean bits, first bit most significant, as 16 hex digits."""
    return np.packbits(bits.ravel()).tobytes().hex()


def _above_median(values):
    return values > np.median(values)


def _shrink(gray, size):
    return gray.resize(size, Image.Resampling.LANCZOS, reducing_gap=REDUCING_GAP)


def fingerprint(image):
    """{"phash", "phash_mirror", "dhash"} of a decoded PIL image."""
    gray = image.convert("L")
    small = np.asarray(_shrink(gray, (PHASH_SIZE, PHASH_SIZE)))
    low = _DCT @ small.astype(np.float64) @ _DCT.T
    mirrored = low * np.where(np.arange(BITS) % 2, -1.0, 1.0)[None, :]
    tiny = np.asarray(_shrink(gray, (BITS + 1, BITS))).astype(np.int16)
    return {
        "phash": bits_to_hex(_above_median(low)),
        "phash_mirror": bits_to_hex(_above_median(mirrored)),
        "dhash": bits_to_hex(tiny[:, 1:] > tiny[:, :-1]),
    }


def to_int(hex_code):
    return int(hex_code, 16)


def mirror_dhash(code):
    """The dHash of the mirrored image from the dHash bits: each row reversed and negated
    (exact except where two neighbouring pixels are equal)."""
    out = 0
    for row in range(BITS):
        byte = (code >> (8 * (BITS - 1 - row))) & 0xFF
        flipped = int(f"{byte:08b}"[::-1], 2) ^ 0xFF
        out |= flipped << (8 * (BITS - 1 - row))
    return out
