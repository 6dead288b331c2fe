import io

import numpy as np
import pytest
from PIL import Image

from humanprep.normalise.images import BadImage, clean_image, strip_png_metadata


def _jpeg(exif=None, mode="RGB", size=(40, 24)):
    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    image = Image.fromarray(pixels).convert(mode)
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=90, exif=exif.tobytes() if exif else b"")
    return buf.getvalue()


def _exif(orientation=1):
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "CameraMaker"
    gps = exif.get_ifd(0x8825)
    gps[2] = (52.0, 31.0, 12.0)  # latitude
    return exif


def test_jpeg_metadata_dropped_pixels_identical():
    original = _jpeg(_exif(1))
    assert b"Exif" in original and b"CameraMaker" in original
    clean, info = clean_image(original)
    assert b"Exif" not in clean and b"CameraMaker" not in clean
    assert info["reencoded"] is None
    assert (info["width"], info["height"]) == (40, 24)
    # Same entropy-coded data: decoded pixels are bit-identical.
    before = np.asarray(Image.open(io.BytesIO(original)))
    after = np.asarray(Image.open(io.BytesIO(clean)))
    assert np.array_equal(before, after)
    assert Image.open(io.BytesIO(clean)).getexif() == {}


def test_orientation_is_applied_by_reencoding():
    clean, info = clean_image(_jpeg(_exif(6)))  # 6: rotate 90 degrees clockwise to view
    assert info["reencoded"] == "EXIF orientation 6 applied"
    assert (info["width"], info["height"]) == (24, 40)
    assert b"CameraMaker" not in clean


def test_grey_jpeg_converted_to_rgb():
    clean, info = clean_image(_jpeg(mode="L"))
    assert info["reencoded"] == "mode L converted to RGB"
    assert Image.open(io.BytesIO(clean)).mode == "RGB"


def test_truncated_jpeg_is_bad():
    data = _jpeg()
    with pytest.raises(BadImage, match="does not decode"):
        clean_image(data[: len(data) // 2])


def test_png_text_chunk_dropped():
    buf = io.BytesIO()
    from PIL import PngImagePlugin

    meta = PngImagePlugin.PngInfo()
    meta.add_text("Author", "somebody")
    Image.new("RGB", (8, 8), (10, 20, 30)).save(buf, "PNG", pnginfo=meta)
    data = buf.getvalue()
    assert b"somebody" in data
    clean = strip_png_metadata(data)
    assert b"somebody" not in clean
    assert np.array_equal(
        np.asarray(Image.open(io.BytesIO(clean))), np.full((8, 8, 3), (10, 20, 30))
    )


def test_png_bad_crc_rejected():
    buf = io.BytesIO()
    Image.new("L", (4, 4)).save(buf, "PNG")
    data = bytearray(buf.getvalue())
    data[33 + 8] ^= 0xFF  # a byte inside the IDAT payload (after the 33-byte IHDR)
    with pytest.raises(BadImage):
        strip_png_metadata(bytes(data))
