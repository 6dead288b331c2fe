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
- `phash_windows`, `dhash_windows`: the pHash and dHash of 9 windows on a 3x3 grid, each
  window 92% of the width and of the height, left/top edges at 0, 4 and 8% (row-major, top
  left first). A copy cropped by 5-10% per axis matches one window to within a 4% shift
  and scale, where a global hash no longer matches (it tolerates about 3%); dedup compares
  every image's whole-image hashes with the other images' windows. The windows are
  resampled from the pHash's own 32x32 reduction (Pillow's Lanczos weights as matrices).
Each is written as 16 lowercase hex digits.
"""

import numpy as np
from PIL import Image

PHASH_SIZE = 32
BITS = 8
REDUCING_GAP = 3.0
WINDOW = 0.92  # of the width and of the height
WINDOW_GRID = 3  # per axis: left/top edges at 0, (1 - WINDOW) / 2 and 1 - WINDOW


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


def _phash(small):
    low = _DCT @ small.astype(np.float64) @ _DCT.T
    return low, bits_to_hex(_above_median(low))


def _dhash(tiny):
    tiny = tiny.astype(np.int16)
    return bits_to_hex(tiny[:, 1:] > tiny[:, :-1])


def window_boxes(size=PHASH_SIZE):
    """The 9 windows as (left, upper, right, lower) in a size x size image, row-major."""
    edges = np.linspace(0.0, 1.0 - WINDOW, WINDOW_GRID) * size
    return [(x, y, x + WINDOW * size, y + WINDOW * size) for y in edges for x in edges]


def resample_matrix(n_in, n_out, start, length):
    """(n_out, n_in) weights of Pillow's Lanczos resampling of [start, start + length) of n_in
    pixels to n_out: Pillow resizes the rows of a float identity image (resampling is linear)."""
    eye = Image.fromarray(np.eye(n_in, dtype=np.float32), mode="F")
    box = (start, 0, start + length, n_in)
    return np.asarray(eye.resize((n_out, n_in), Image.Resampling.LANCZOS, box=box)).T.astype(float)


def _stacked(n_out, then=None):
    """The window resamplings (then `then`) of the 3 window positions on one axis, stacked."""
    edges = np.linspace(0.0, 1.0 - WINDOW, WINDOW_GRID) * PHASH_SIZE
    mats = [resample_matrix(PHASH_SIZE, n_out, e, WINDOW * PHASH_SIZE) for e in edges]
    return np.vstack([m if then is None else then @ m for m in mats])


_WIN_DCT = _stacked(PHASH_SIZE, _DCT)  # (3 * 8, 32): resample a window, then DCT
_WIN_ROWS, _WIN_COLS = _stacked(BITS), _stacked(BITS + 1)  # to 8 rows, to 9 columns


def _blocks(grid, rows, cols):
    """The 9 (rows, cols) blocks of a (3 * rows, 3 * cols) grid, row-major."""
    return grid.reshape(WINDOW_GRID, rows, WINDOW_GRID, cols).swapaxes(1, 2).reshape(-1, rows, cols)


def window_hashes(small):
    """(pHashes, dHashes) of the 9 windows, from the whole image's 32x32 grayscale reduction
    (the pHash uses its 8x8 lowest frequencies only, which a 29-pixel window still holds):
    each window is resampled with Pillow's Lanczos weights as matrices, all in two products."""
    small = small.astype(np.float64)
    lows = _blocks(_WIN_DCT @ small @ _WIN_DCT.T, BITS, BITS).reshape(WINDOW_GRID**2, -1)
    phashes = lows > np.median(lows, axis=1, keepdims=True)
    tiny = _blocks(_WIN_ROWS @ small @ _WIN_COLS.T, BITS, BITS + 1)
    dhashes = tiny[:, :, 1:] > tiny[:, :, :-1]
    return [bits_to_hex(b) for b in phashes], [bits_to_hex(b) for b in dhashes]


def fingerprint(image):
    """{"phash", "phash_mirror", "dhash", "phash_windows", "dhash_windows"} of a decoded
    PIL image."""
    gray = image.convert("L")
    small = np.asarray(_shrink(gray, (PHASH_SIZE, PHASH_SIZE)))
    low, phash = _phash(small)
    mirrored = low * np.where(np.arange(BITS) % 2, -1.0, 1.0)[None, :]
    phash_windows, dhash_windows = window_hashes(small)
    return {
        "phash": phash,
        "phash_mirror": bits_to_hex(_above_median(mirrored)),
        "dhash": _dhash(np.asarray(_shrink(gray, (BITS + 1, BITS)))),
        "phash_windows": phash_windows,
        "dhash_windows": dhash_windows,
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
