"""Image hygiene shared by every dataset: verify, strip metadata, keep bytes when possible.

Originals that are clean JPEG/PNG keep their encoded pixels (no generational loss); only
metadata segments/chunks are dropped. A re-encode happens only when a conversion is needed
(EXIF orientation to apply, a mode other than RGB/L, another format), and the record says why.
"""

import io
import struct
import zlib

from PIL import Image, ImageOps

from humanprep.dedup.fingerprint import fingerprint
from humanprep.io import sha256_bytes

# JPEG segments kept: JFIF (APP0), ICC profile (APP2) and Adobe (APP14): they define the
# colours. EXIF (with GPS), XMP, other APPn and comments go.
_JPEG_KEEP_APP = {0xE0: b"JFIF", 0xE2: b"ICC_PROFILE\0", 0xEE: b"Adobe"}
# PNG chunks kept: the ones that define pixels and colours; text, time and EXIF chunks go.
_PNG_KEEP = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND", b"gAMA", b"sRGB", b"cHRM", b"sBIT"}
_PNG_KEEP.add(b"iCCP")


class BadImage(Exception):
    """The bytes are not a fully decodable image; the message says why."""


def _keep_jpeg_segment(marker, payload):
    if marker == 0xFE:  # comment
        return False
    if 0xE0 <= marker <= 0xEF:
        return marker in _JPEG_KEEP_APP and payload.startswith(_JPEG_KEEP_APP[marker])
    return True


def strip_jpeg_metadata(data):
    """Drop APPn (but JFIF/Adobe) and COM segments before the scan; pixels untouched."""
    if data[:2] != b"\xff\xd8":
        raise BadImage("not a JPEG (no SOI marker)")
    out, pos = [data[:2]], 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise BadImage(f"corrupt JPEG marker at byte {pos}")
        marker = data[pos + 1]
        if marker == 0xDA:  # start of scan: the rest is entropy-coded data
            out.append(data[pos:])
            return b"".join(out)
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        segment = data[pos : pos + 2 + length]
        if _keep_jpeg_segment(marker, segment[4:]):
            out.append(segment)
        pos += 2 + length
    raise BadImage("JPEG ends before its image data")


def strip_png_metadata(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise BadImage("not a PNG (bad signature)")
    out, pos = [data[:8]], 8
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        chunk = data[pos : pos + 12 + length]
        if len(chunk) < 12 + length:
            raise BadImage(f"PNG chunk {kind!r} truncated")
        if zlib.crc32(chunk[4:-4]) != struct.unpack(">I", chunk[-4:])[0]:
            raise BadImage(f"PNG chunk {kind!r} has a bad CRC")
        if kind in _PNG_KEEP:
            out.append(chunk)
        pos += 12 + length
        if kind == b"IEND":
            return b"".join(out)
    raise BadImage("PNG ends before IEND")


def decode_fully(data):
    """Open and decode every pixel; a truncated or corrupt file raises BadImage."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Exception as err:  # Pillow raises many types for bad data
        raise BadImage(f"does not decode: {err}") from None
    return image


def _encode(image, fmt):
    buf = io.BytesIO()
    if fmt == "JPEG":
        image.save(buf, "JPEG", quality=95, subsampling=0, optimize=False)
    else:
        image.save(buf, "PNG", compress_level=6)
    return buf.getvalue()


def clean_image(data, *, allowed_modes=("RGB",)):
    """Return (clean bytes, info) for one image, or raise BadImage.

    info: format, width, height, sha256 of the clean bytes, and `reencoded` (None or why).
    """
    image = decode_fully(data)
    fmt = image.format
    orientation = image.getexif().get(0x0112, 1)
    reason = None
    if fmt not in ("JPEG", "PNG"):
        reason = f"format {fmt} converted to PNG"
    elif orientation not in (1, None):
        reason = f"EXIF orientation {orientation} applied"
    elif image.mode not in allowed_modes:
        reason = f"mode {image.mode} converted to {allowed_modes[0]}"
    if reason is None:
        clean = strip_jpeg_metadata(data) if fmt == "JPEG" else strip_png_metadata(data)
    else:
        image = ImageOps.exif_transpose(image)
        if image.mode not in allowed_modes:
            image = image.convert(allowed_modes[0])
        fmt = fmt if fmt in ("JPEG", "PNG") else "PNG"
        clean = _encode(image, fmt)
    info = {
        "format": fmt.lower(),
        "width": image.width,
        "height": image.height,
        "sha256": sha256_bytes(clean),
        "reencoded": reason,
        # from the pixels decoded above (after any orientation fix): no second decode
        "fingerprint": fingerprint(image),
    }
    return clean, info
