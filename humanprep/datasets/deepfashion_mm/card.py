"""What the release card says of DeepFashion-MultiModal (humanprep.release.cardmeta lays it out)."""

FIELDS = (
    "gender and category (from the file name), `full_body`, parsing map 0-23 (PNG), "
    "DensePose PNG as shipped, 21 keypoints (COCO visibility), shape/fabric/colour "
    "labels, caption, `fixes`"
)
PEOPLE = (
    "photographs of real fashion models (DeepFashion In-shop), with human-annotated "
    "parsing, keypoints and labels and template-made captions"
)
BIASES = (
    "Upstream makes no statement on demographics. Professional e-commerce models in "
    "studio light, with categories of the DeepFashion In-shop catalogue."
)
