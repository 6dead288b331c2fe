"""Plain PIL drawing for contact sheets: annotations on images, and images laid out.

Coordinates are image pixels (x right, y down). Functions that annotate draw in place and
return the image; layout functions return a new RGB image. Nothing here reads files or
depends on the clock, so the same inputs always give the same pixels.
"""

import math
import textwrap

import numpy as np
from PIL import Image, ImageDraw, ImageFont

WHITE = (255, 255, 255)
BLACK = (0, 0, 0)
RED = (230, 25, 75)
GREEN = (60, 180, 75)
BLUE = (0, 130, 200)
ORANGE = (245, 130, 48)
GREY = (128, 128, 128)
# Distinct colours for categories (Sasha Trubetskoy's list), cycled.
COLOURS = (
    (230, 25, 75), (60, 180, 75), (0, 130, 200), (245, 130, 48), (145, 30, 180),
    (70, 240, 240), (240, 50, 230), (210, 245, 60), (250, 190, 212), (0, 128, 128),
    (220, 190, 255), (170, 110, 40), (128, 0, 0), (170, 255, 195), (128, 128, 0),
    (0, 0, 128), (255, 225, 25),
)  # fmt: skip
TEXT_SIZE = 12
LINE_HEIGHT = 15


def font(size=TEXT_SIZE):
    """Pillow's bundled font (FreeType when available): the same glyphs everywhere."""
    try:
        return ImageFont.load_default(size=size)
    except ImportError:  # Pillow without FreeType: the fixed bitmap font
        return ImageFont.load_default()


def category_colour(index):
    return COLOURS[index % len(COLOURS)]


def fit_height(image, height, resample=Image.Resampling.BILINEAR):
    """(image scaled to `height` pixels high, scale factor)."""
    scale = height / image.height
    width = max(1, round(image.width * scale))
    return image.resize((width, height), resample), scale


def scale_points(points, scale):
    """Keypoints [[x, y, v], ...] (or flat [x0, y0, x1, y1, ...]) times `scale`."""
    if points and isinstance(points[0], list | tuple):
        return [[x * scale, y * scale, *rest] for x, y, *rest in points]
    return [p * scale for p in points]


def draw_keypoints(image, keypoints, pairs=(), point=RED, line=GREEN, radius=2, width=2):
    """Labelled keypoints (v > 0) as dots, and the limbs `pairs` (0-based index pairs)
    whose two ends are both labelled as lines under them."""
    draw = ImageDraw.Draw(image)
    labelled = [len(k) < 3 or k[2] > 0 for k in keypoints]
    for a, b in pairs:
        if a < len(keypoints) and b < len(keypoints) and labelled[a] and labelled[b]:
            draw.line([tuple(keypoints[a][:2]), tuple(keypoints[b][:2])], fill=line, width=width)
    for (x, y, *_), shown in zip(keypoints, labelled, strict=True):
        if shown:
            draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=point)
    return image


def _near(value, size):
    return min(max(value, -size), 2 * size)


def draw_box(image, box, colour, width=2, label=None):
    """Outline of the box [x0, y0, x1, y1] (corners inclusive, in either order), with a
    label on a filled strip inside its top-left corner."""
    draw = ImageDraw.Draw(image)
    # an inverted box is drawn, not refused; corners far outside are pulled in to a margin
    # around the image (what shows is the same; PIL's text layout fails at +-1e300)
    x0, x1 = sorted(_near(x, image.width) for x in box[0::2])
    y0, y1 = sorted(_near(y, image.height) for y in box[1::2])
    draw.rectangle([x0, y0, x1, y1], outline=colour, width=width)
    if label:
        face = font()
        left, top, right, bottom = draw.textbbox((0, 0), label, font=face)
        # Inside the image even for a box at its right edge, and readable on any fill.
        lx = max(0, min(x0, image.width - (right - left) - 3))
        draw.rectangle([lx, y0, lx + (right - left) + 2, y0 + (bottom - top) + 4], fill=colour)
        draw.text((lx + 1 - left, y0 + 1 - top), label, fill=text_colour(colour), font=face)
    return image


def text_colour(fill):
    """Black on light fills, white on dark ones (Rec. 601 luma), so labels stay legible."""
    r, g, b = fill[:3]
    return (0, 0, 0) if 0.299 * r + 0.587 * g + 0.114 * b > 140 else WHITE


def draw_polygon(image, points, colour, width=1):
    """Closed outline through the flat point list [x0, y0, x1, y1, ...]; fewer than three
    points (a degenerate polygon) draw nothing, and an odd trailing value is ignored."""
    xy = list(zip(points[0::2], points[1::2], strict=False))
    if len(xy) >= 3:
        ImageDraw.Draw(image).line([*xy, xy[0]], fill=colour, width=width, joint="curve")
    return image


def _blend(image, where, colours, alpha):
    rgb = np.asarray(image.convert("RGB"), dtype=np.float64)
    mixed = rgb * (1 - alpha) + colours * alpha
    out = np.where(where[..., None], np.rint(mixed), rgb)
    return Image.fromarray(out.astype(np.uint8), "RGB")


def overlay_mask(image, mask, colour, alpha=0.5):
    """The image with the mask's non-zero pixels tinted `colour` (new image)."""
    where = np.asarray(mask.convert("L").resize(image.size, Image.Resampling.NEAREST)) > 0
    return _blend(image, where, np.array(colour, dtype=np.float64), alpha)


def colourise(labels, palette):
    """A class-id image (mode L) as RGB: class i in palette[i]; unknown ids grey."""
    ids = np.asarray(labels.convert("L"))
    table = np.array([palette.get(i, GREY) for i in range(256)], dtype=np.uint8)
    return Image.fromarray(table[ids], "RGB")


def overlay_labels(image, labels, palette, alpha=0.5):
    """The image with every non-background (non-zero) class tinted its palette colour."""
    labels = labels.convert("L").resize(image.size, Image.Resampling.NEAREST)
    colours = np.asarray(colourise(labels, palette), dtype=np.float64)
    return _blend(image, np.asarray(labels) > 0, colours, alpha)


def wrap(lines, width_px, char_px=6):
    chars = max(8, width_px // char_px)
    return [part for line in lines for part in (textwrap.wrap(str(line), chars) or [""])]


def caption(image, lines, min_width=0, background=WHITE):
    """The image above its caption lines (wrapped to its width)."""
    width = max(image.width, min_width)
    text = wrap(lines, width)
    out = Image.new("RGB", (width, image.height + LINE_HEIGHT * len(text) + 4), background)
    out.paste(image.convert("RGB"), ((width - image.width) // 2, 0))
    draw, face = ImageDraw.Draw(out), font()
    for i, line in enumerate(text):
        draw.text((2, image.height + 2 + LINE_HEIGHT * i), line, fill=BLACK, font=face)
    return out


def frame(image, colour, width=4):
    """The image inside a coloured border."""
    out = Image.new("RGB", (image.width + 2 * width, image.height + 2 * width), colour)
    out.paste(image.convert("RGB"), (width, width))
    return out


def titled(image, title, size=16):
    """The image under a title line."""
    face = font(size)
    height = size + 12
    out = Image.new("RGB", (max(image.width, 200), image.height + height), WHITE)
    ImageDraw.Draw(out).text((6, 4), title, fill=BLACK, font=face)
    out.paste(image.convert("RGB"), (0, height))
    return out


def grid(tiles, columns, pad=6, background=WHITE):
    """Tiles in rows of `columns`, each centred in a cell as large as the largest tile."""
    if not tiles:
        return caption(Image.new("RGB", (200, 1), background), ["(no items)"])
    cell_w = max(t.width for t in tiles)
    cell_h = max(t.height for t in tiles)
    columns = min(columns, len(tiles))
    rows = math.ceil(len(tiles) / columns)
    out = Image.new(
        "RGB", (pad + columns * (cell_w + pad), pad + rows * (cell_h + pad)), background
    )
    for i, tile in enumerate(tiles):
        row, col = divmod(i, columns)
        x = pad + col * (cell_w + pad) + (cell_w - tile.width) // 2
        out.paste(tile.convert("RGB"), (x, pad + row * (cell_h + pad)))
    return out


def hstack(images, pad=4, background=WHITE):
    """Images side by side, top-aligned."""
    width = sum(i.width for i in images) + pad * (len(images) - 1)
    out = Image.new("RGB", (width, max(i.height for i in images)), background)
    x = 0
    for image in images:
        out.paste(image.convert("RGB"), (x, 0))
        x += image.width + pad
    return out


def vstack(images, pad=4, background=WHITE):
    """Images one under the other, left-aligned."""
    height = sum(i.height for i in images) + pad * (len(images) - 1)
    out = Image.new("RGB", (max(i.width for i in images), height), background)
    y = 0
    for image in images:
        out.paste(image.convert("RGB"), (0, y))
        y += image.height + pad
    return out


def ring_positions(directions, radius, centre):
    """Top-down (x, z) directions -> pixel centres on a circle: +x right, +z down (towards
    the reader, where a front camera sits)."""
    out = []
    for dx, dz in directions:
        norm = math.hypot(dx, dz) or 1.0
        out.append((centre[0] + radius * dx / norm, centre[1] + radius * dz / norm))
    return out


def view_ring(views, front, directions=None, outliers=(), thumb_height=72, gap=6):
    """The views on a circle, each where its camera looks from (seen from above; without
    directions, evenly spaced from the bottom), the front view outlined red and also shown
    large in the middle; off-orbit views outlined orange."""
    n = len(views)
    if directions is None:
        directions = [
            (math.sin(2 * math.pi * i / n), math.cos(2 * math.pi * i / n)) for i in range(n)
        ]
    thumbs = [fit_height(v.convert("RGB"), thumb_height)[0] for v in views]
    tw = max(t.width for t in thumbs)
    radius = max(3 * thumb_height, n * (max(tw, thumb_height) + gap) / (2 * math.pi))
    size = (int(2 * radius + tw + 2 * gap), int(2 * radius + thumb_height + 2 * gap))
    centre = (size[0] / 2, size[1] / 2)
    out = Image.new("RGB", size, WHITE)
    draw = ImageDraw.Draw(out)
    draw.ellipse(
        [centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius],
        outline=GREY,
        width=1,
    )
    for i, ((cx, cy), thumb) in enumerate(
        zip(ring_positions(directions, radius, centre), thumbs, strict=True)
    ):
        x0, y0 = round(cx - thumb.width / 2), round(cy - thumb.height / 2)
        out.paste(thumb, (x0, y0))
        colour = RED if i == front else ORANGE if i in outliers else None
        if colour:
            draw.rectangle(
                [x0 - 2, y0 - 2, x0 + thumb.width + 1, y0 + thumb.height + 1],
                outline=colour,
                width=3,
            )
    if front is not None and 0 <= front < n:
        big = fit_height(views[front].convert("RGB"), int(min(radius, 2.6 * thumb_height)))[0]
        big = frame(caption(big, [f"front view {front}"]), RED, 2)
        out.paste(big, (round(centre[0] - big.width / 2), round(centre[1] - big.height / 2)))
    return out
