"""The edits a re-publisher makes to a photo, each drawing from the random stream it is
given: the demo plants copies made with them (humanprep.demo.duplicates), and the dedup
benchmark's planted set (tests/planted.py) is made with them too."""

import io

from PIL import Image, ImageEnhance


def decode(data):
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def jpeg(image, quality):
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def resize(image, rng):
    """Down- or up-scaled by 0.4-0.8 or 1.25-1.5."""
    factor = rng.choice([rng.uniform(0.4, 0.8), rng.uniform(1.25, 1.5)])
    size = (max(8, round(image.width * factor)), max(8, round(image.height * factor)))
    return image.resize(size, Image.Resampling.BICUBIC)


def reencode(image, rng):
    """Re-encoded as JPEG at quality 10-30."""
    return decode(jpeg(image, int(rng.integers(10, 31))))


def crop(image, rng, cut=(0.03, 0.10)):
    """3-10% (`cut`) of the width and of the height cut, split at random between the sides."""
    w, h = image.size
    cut_w, cut_h = rng.uniform(*cut) * w, rng.uniform(*cut) * h
    left, top = rng.uniform(0, cut_w), rng.uniform(0, cut_h)
    box = (round(left), round(top), round(w - (cut_w - left)), round(h - (cut_h - top)))
    return image.crop(box)


def mirror(image, rng):
    return image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)


def jitter(image, rng):
    """Brightness, contrast and saturation each scaled by 0.8-1.2."""
    for enhance in (ImageEnhance.Brightness, ImageEnhance.Contrast, ImageEnhance.Color):
        image = enhance(image).enhance(rng.uniform(0.8, 1.2))
    return image


EDIT = {"resize": resize, "reencode": reencode, "crop": crop, "mirror": mirror, "jitter": jitter}
EDITS = tuple(EDIT)
