"""What the release card says of HuGe100K (humanprep.release.cardmeta lays it out)."""

BIBTEX = """@inproceedings{zhuang2025idol,
  title={IDOL: Instant Photorealistic 3D Human Creation from a Single Image},
  author={Zhuang, Yiyu and Lv, Jiaxi and Wen, Hao and Shuai, Qing and Zeng, Ailing and Zhu, Hao and Chen, Shifeng and Yang, Yujiu and Cao, Xun and Liu, Wei},
  booktitle={IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)},
  pages={26308--26319},
  year={2025}
}"""  # noqa: E501 (a BibTeX field is one line)
FIELDS = (
    "attributes parsed from the file name, pose type by batch, named SMPL-X arrays, 24 "
    "cameras (`w2c` 4x4, `fx fy cx cy`), 24 view PNGs (frame i = view i)"
)
PEOPLE = (
    "synthetic people: images and 24-view videos made by generative models (IDOL), not "
    "photographs of real individuals; a `deepfashion/` part derives from DeepFashion "
    "photographs"
)
BIASES = (
    "Upstream (IDOL) generated its people to vary in age, gender, ethnicity, body shape "
    "and clothing (the attributes in its file names); the generators' own biases carry "
    "over, and the synthetic images are not a sample of real people."
)
