"""A miniature HuGe100K in the real layout (docs/formats.md), with planted awkward cases.

One uncompressed tar, `HuGe100K.tar`, holding `HuGe100K/<batch>/<group>/videos/<name>.jpg|.mp4`
and `.../param/<name>.npy` for three A-pose subjects (flux_batch1) and one diverse-pose subject
(flux_batch8). Sizes are the real ones scaled by 1/4.

Geometry: world y is up; the subject stands at the origin. Camera i sits on a circle of radius
RADIUS at azimuth 15 * i degrees, at position (R sin a, 0, R cos a), looking at the origin
(OpenCV w2c: x right, y down, z forward). The body's front is +z before global_orient, which
turns it about y to face camera FRONT_VIEW[name]. Each rendered view carries a 5-bit
black/white code of its view index in a band along the bottom (decode_view_marker).
"""

import math
import tempfile
from pathlib import Path

import cv2
import numpy as np

from humanprep.datasets.huge100k.torchnpy import SMPL_LAYOUT
from humanprep.datasets.huge100k.torchpickle import dumps_npy_like_huge100k
from humanprep.datasets.shhq import demo as shhq
from humanprep.demo import duplicates, figure
from humanprep.tarutil import write_tar

ARCHIVE = "HuGe100K.tar"
N_VIEWS = 24
VIEW_STEP_DEG = 15.0
VIDEO_SIZE = (160, 224)  # (W, H): the real 640 x 896 / 4
JPG_SIZE = (192, 268)  # (W, H): the real 768 x 1072 / 4
FPS = 15
# opencv-python-headless has no H.264 encoder (its 'avc1' only tries the v4l2m2m hardware
# encoder and fails to open), so the demo videos are MPEG-4 Part 2.
FOURCC = "mp4v"
INTRINSICS = (280.0, 280.0, 80.0, 112.0)  # (fx, fy, cx, cy): the real (1120, 1120, 320, 448) / 4
RADIUS = 2.6

SUBJECTS = (
    ("flux_batch1", "images0", "Algeria_female_average_high fashion_50~60 years old_844"),
    ("flux_batch1", "images0", "Brazil_male_slim_casual wear_20~30 years old_17"),
    ("flux_batch1", "images0", "New Zealand_female_athletic_street style_30~40 years old_2051"),
    ("flux_batch8", "images2", "Kenya_male_plus-size_business suit_40~50 years old_9133"),
)
NAMES = tuple(name for _, _, name in SUBJECTS)
DIVERSE_BATCHES = ("flux_batch8", "flux_batch9")
# The camera each body faces (global_orient turns it there); the .jpg shows that view.
FRONT_VIEW = {NAMES[0]: 0, NAMES[1]: 0, NAMES[2]: 0, NAMES[3]: 20}
# Planted: this video stops after 23 frames (its parameters still hold 24 cameras).
SHORT_VIDEO = NAMES[1]
# Planted: this camera is moved off the orbit (further out and raised); the frame is unchanged.
CAMERA_OUTLIER = {NAMES[2]: 7}

_MARKER_BITS = 5
_BACKGROUND = (205, 205, 205)
_COLOURS = {
    "front": (200, 40, 40),
    "back": (40, 60, 200),
    "left_arm": (40, 170, 60),
    "right_arm": (230, 200, 40),
    "legs": (60, 60, 60),
    "skin": (230, 190, 160),
    "hair": (90, 50, 20),
}
# Body-frame points (x: body's left, y: up, z: front), metres; hands differ by pose.
_HANDS = {
    "a-pose": ((0.45, -0.15, 0.0), (-0.45, -0.15, 0.0)),
    "diverse": ((0.3, 0.75, 0.1), (-0.25, 0.3, 0.35)),
}


def member_paths(batch, group, name):
    """(reference .jpg, video .mp4, parameters .npy) paths inside the tar."""
    base = f"HuGe100K/{batch}/{group}"
    return (
        f"{base}/videos/{name}.jpg",
        f"{base}/videos/{name}.mp4",
        f"{base}/param/{name}.npy",
    )


def _cross(a, b):
    return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]


def _unit(v):
    n = math.sqrt(sum(x * x for x in v))
    return [x / n for x in v]


def camera_w2c(view, radius=RADIUS, height=0.0):
    """4x4 OpenCV world-to-camera matrix of a camera at azimuth 15*view degrees, looking at
    the origin. Plain float arithmetic rounded to 6 decimals: numpy's BLAS products and
    libm's FMA variants differ in the last bits from CPU to CPU, and the demo archive is
    registered by sha256."""
    angle = math.radians(VIEW_STEP_DEG * view)
    centre = [radius * math.sin(angle), height, radius * math.cos(angle)]
    forward = _unit([-x for x in centre])
    right = _unit(_cross([0.0, -1.0, 0.0], forward))
    rotation = [right, _cross(forward, right), forward]
    rows = [[*row, -sum(r * c for r, c in zip(row, centre, strict=True))] for row in rotation]
    rows.append([0.0, 0.0, 0.0, 1.0])
    return np.array([[round(x, 6) + 0.0 for x in row] for row in rows], np.float32)


def cameras(name):
    outlier = CAMERA_OUTLIER.get(name)
    return [
        [
            camera_w2c(i, RADIUS * 1.25, 0.4) if i == outlier else camera_w2c(i),
            np.array(INTRINSICS, np.float32),
        ]
        for i in range(N_VIEWS)
    ]


def smpl_params(rng, front_view, pose):
    """The 189-vector (SMPL_LAYOUT order): body turned to face camera `front_view`."""
    parts = {name: np.zeros(n) for name, n in SMPL_LAYOUT}
    parts["scale"][0] = 1.0
    # Axis-angle about y, wrapped to [-pi, pi] as SMPL fits report it.
    parts["global_orient"][1] = math.remainder(math.radians(VIEW_STEP_DEG * front_view), math.tau)
    if pose == "a-pose":
        parts["body_pose"][47], parts["body_pose"][50] = -0.8, 0.8  # shoulders (joints 16, 17)
    else:
        parts["body_pose"] = rng.normal(0.0, 0.3, 63)
    parts["betas"] = rng.normal(0.0, 1.0, 10)
    parts["left_hand"] = rng.normal(0.0, 0.1, 45)
    parts["right_hand"] = rng.normal(0.0, 0.1, 45)
    parts["expression"] = rng.normal(0.0, 0.5, 10)
    return np.concatenate([parts[name] for name, _ in SMPL_LAYOUT]).astype(np.float32)


def _draw_marker(image, view):
    height, width = image.shape[:2]
    band = height // 14
    block = width // _MARKER_BITS
    for k in range(_MARKER_BITS):
        level = 255 if (view >> (_MARKER_BITS - 1 - k)) & 1 else 0
        image[height - band :, k * block : (k + 1) * block] = level


def decode_view_marker(image):
    """The view index coded in the bottom band of a rendered view (RGB or BGR)."""
    height, width = image.shape[:2]
    band, block = height // 14, width // _MARKER_BITS
    rows = image[height - band + band // 4 : height - band // 4]
    view = 0
    for k in range(_MARKER_BITS):
        patch = rows[:, k * block + block // 4 : (k + 1) * block - block // 4]
        view = view * 2 + int(patch.mean() > 127)
    return view


def palette(rng):
    """Per-subject colours: the shirt's front and back tinted, the rest fixed."""
    tint = rng.integers(-40, 41, 3)
    colours = dict(_COLOURS)
    for side in ("front", "back"):
        colours[side] = tuple(int(c) for c in np.clip(np.add(_COLOURS[side], tint), 0, 255))
    return colours


def render_view(view, front_view, pose, size, colours=_COLOURS):
    """RGB image of the figure seen from camera `view`: which side shows (reddish front,
    bluish back, mirrored green/yellow arms, face or hair) follows the camera-body angle."""
    width, height = size
    image = np.full((height, width, 3), _BACKGROUND, np.uint8)
    phi = math.radians(VIEW_STEP_DEG * (view - front_view))
    px = height / 2.2  # pixels per metre

    def project(x, y, z):
        u = width / 2 + px * (x * math.cos(phi) - z * math.sin(phi))
        return (round(u), round(height * 0.45 - px * y)), x * math.sin(phi) + z * math.cos(phi)

    def limb(start, end, colour, thickness):
        (a, depth_a), (b, depth_b) = project(*start), project(*end)
        return (depth_a + depth_b) / 2, lambda: cv2.line(image, a, b, colour, thickness)

    def torso():
        half = round(px * (0.17 * abs(math.cos(phi)) + 0.1 * abs(math.sin(phi))))
        (centre, _) = project(0.0, 0.0, 0.0)
        colour = colours["front" if math.cos(phi) >= 0 else "back"]
        cv2.rectangle(image, (centre[0] - half, round(height * 0.45 - px * 0.55)),
                      (centre[0] + half, centre[1]), colour, -1)  # fmt: skip

    left_hand, right_hand = _HANDS[pose]
    thick = max(2, round(px * 0.07))
    parts = [
        limb((0.18, 0.5, 0.0), left_hand, colours["left_arm"], thick),
        limb((-0.18, 0.5, 0.0), right_hand, colours["right_arm"], thick),
        limb((0.09, 0.0, 0.0), (0.1, -0.9, 0.0), colours["legs"], thick),
        limb((-0.09, 0.0, 0.0), (-0.1, -0.9, 0.0), colours["legs"], thick),
    ]
    # Painter's order: what is behind the torso first, then the torso, then what is in front.
    for depth, draw in sorted(parts, key=lambda p: p[0]):
        if depth < 0:
            draw()
    torso()
    for depth, draw in sorted(parts, key=lambda p: p[0]):
        if depth >= 0:
            draw()
    head, _ = project(0.0, 0.68, 0.0)
    cv2.circle(image, head, round(px * 0.11), colours["skin"], -1)
    face, face_depth = project(0.0, 0.68, 0.09)
    if face_depth > 0:
        cv2.circle(image, face, max(2, round(px * 0.03)), (0, 0, 0), -1)
    else:
        cv2.circle(image, (head[0], head[1] - round(px * 0.03)), round(px * 0.09),
                   colours["hair"], -1)  # fmt: skip
    _draw_marker(image, view)
    return image


def video_bytes(frames):
    """An mp4 (FOURCC, FPS) of RGB frames, written by OpenCV's FFmpeg backend."""
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp, "video.mp4"))
        writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*FOURCC), FPS, VIDEO_SIZE)
        if not writer.isOpened():
            raise RuntimeError(f"OpenCV cannot write {FOURCC} mp4 video")
        for frame in frames:
            writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
        writer.release()
        return Path(path).read_bytes()


# FFmpeg's MPEG-4 encoder picks its DCT and quantiser code by CPU (SIMD), so the same frames
# encode to different bytes on different machines. The registered demo (seed 0) therefore
# ships its videos as encoded once from these same frames (refresh: freeze_videos()).
FROZEN = Path(__file__).with_name("demo_data")


def demo_video(index, seed, pose, colours):
    """The subject's mp4: the frozen seed-0 bytes, else encoded from freshly rendered views."""
    frozen = FROZEN / f"{index}.mp4"
    if seed == 0 and frozen.is_file():
        return frozen.read_bytes()
    return video_bytes(subject_frames(index, pose, colours))


def subject_look(index, seed):
    """(pose, SMPL-X and camera params, colours) of one subject, from its own random stream."""
    batch, _, name = SUBJECTS[index]
    pose = "diverse" if batch in DIVERSE_BATCHES else "a-pose"
    rng = np.random.default_rng([seed, index])
    params = {"smpl_params": smpl_params(rng, FRONT_VIEW[name], pose), "poses": cameras(name)}
    return pose, params, palette(rng)


def subject_frames(index, pose, colours):
    """The rendered views of one subject's video."""
    name = SUBJECTS[index][2]
    n_frames = N_VIEWS - 1 if name == SHORT_VIDEO else N_VIEWS
    return [render_view(i, FRONT_VIEW[name], pose, VIDEO_SIZE, colours) for i in range(n_frames)]


def freeze_videos():
    """Re-encode the seed-0 videos into FROZEN (after a change to the rendering)."""
    FROZEN.mkdir(parents=True, exist_ok=True)
    for index in range(len(SUBJECTS)):
        pose, _, colours = subject_look(index, 0)
        (FROZEN / f"{index}.mp4").write_bytes(video_bytes(subject_frames(index, pose, colours)))


def reference_jpg(index, seed):
    """The subject's reference .jpg: its front view."""
    pose, _, colours = subject_look(index, seed)
    front = FRONT_VIEW[SUBJECTS[index][2]]
    return figure.jpeg_bytes(render_view(front, front, pose, JPG_SIZE, colours))


# where the copies planted here come from (humanprep.demo.duplicates.CROSS)
ORIGINALS = {"shhq": shhq.image_jpeg}


def subject_members(index, seed):
    batch, group, name = SUBJECTS[index]
    pose, params, colours = subject_look(index, seed)
    jpg, mp4, npy = member_paths(batch, group, name)
    # planted (humanprep.demo.duplicates): a subject's reference may be another's image
    reference = duplicates.copy_jpeg("huge100k", index, JPG_SIZE, ORIGINALS, seed)
    return [
        (jpg, reference or reference_jpg(index, seed)),
        (mp4, demo_video(index, seed, pose, colours)),
        (npy, dumps_npy_like_huge100k(params)),
    ]


def build(out_dir, *, seed=0):
    """Write out_dir/HuGe100K.tar (deterministic for a seed); returns [its path]."""
    members = [m for i in range(len(SUBJECTS)) for m in subject_members(i, seed)]
    return [write_tar(Path(out_dir) / ARCHIVE, members)]
