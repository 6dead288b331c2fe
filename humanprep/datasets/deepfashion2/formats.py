"""DeepFashion2 format facts (docs/formats.md): categories and their landmark slices."""

CATEGORIES = {
    1: "short sleeve top",
    2: "long sleeve top",
    3: "short sleeve outwear",
    4: "long sleeve outwear",
    5: "vest",
    6: "sling",
    7: "shorts",
    8: "trousers",
    9: "skirt",
    10: "short sleeve dress",
    11: "long sleeve dress",
    12: "vest dress",
    13: "sling dress",
}
# Category id -> (start, stop) into the 294-landmark vector; stop - start landmarks.
LANDMARK_SLICES = {
    1: (0, 25),
    2: (25, 58),
    3: (58, 89),
    4: (89, 128),
    5: (128, 143),
    6: (143, 158),
    7: (158, 168),
    8: (168, 182),
    9: (182, 190),
    10: (190, 219),
    11: (219, 256),
    12: (256, 275),
    13: (275, 294),
}
N_LANDMARKS = 294
SPLITS = {"train": "train", "validation": "val", "test": "test"}
