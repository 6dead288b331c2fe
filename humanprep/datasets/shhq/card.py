"""What the release card says of SHHQ (humanprep.release.cardmeta lays it out)."""

BIBTEX = """@inproceedings{fu2022styleganhuman,
  title={StyleGAN-Human: A Data-Centric Odyssey of Human Generation},
  author={Fu, Jianglin and Li, Shikai and Jiang, Yuming and Lin, Kwan-Yee and Qian, Chen and Loy, Chen Change and Wu, Wayne and Liu, Ziwei},
  booktitle={European Conference on Computer Vision (ECCV)},
  year={2022}
}"""  # noqa: E501 (a BibTeX field is one line)
FIELDS = (
    "person mask (0/255 PNG), parsing map as class ids 0-16 (PNG), 25 OpenPose BODY_25 "
    "keypoints `[x, y, v]` and their status"
)
PEOPLE = (
    "photographs of real people: crawled CC-BY-2.0 images, purchased images, 9,991 "
    "DeepFashion In-shop images and 1,940 InFashAI images (StyleGAN-Human "
    "docs/Dataset.md); its agreement asks users to delete data on the owners' request"
)
BIASES = (
    "Upstream: StyleGAN-Human added InFashAI images to broaden the dataset beyond "
    "DeepFashion's e-commerce models, and its paper studies the data's distribution of "
    "pose, face orientation and clothing texture (long-tailed). Full-body, mostly "
    "frontal, standing people."
)
