"""SHHQ images on a white background, cut out with their segment masks (as StyleGAN-Human
users train on them)."""

import numpy as np


def on_white(rgb, mask):
    """Blend: mask 255 keeps the pixel, 0 gives white; values between blend linearly."""
    alpha = (mask.astype(np.uint16) if mask.ndim == 2 else mask[..., 0].astype(np.uint16))[
        ..., None
    ]
    out = (rgb.astype(np.uint16) * alpha + 255 * (255 - alpha) + 127) // 255
    return out.astype(np.uint8)
