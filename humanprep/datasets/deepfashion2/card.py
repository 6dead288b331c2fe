"""What the release card says of DeepFashion2 (humanprep.release.cardmeta lays it out)."""

BIBTEX = """@inproceedings{ge2019deepfashion2,
  title={DeepFashion2: A Versatile Benchmark for Detection, Pose Estimation, Segmentation and Re-Identification of Clothing Images},
  author={Ge, Yuying and Zhang, Ruimao and Wu, Lingyun and Wang, Xiaogang and Tang, Xiaoou and Luo, Ping},
  booktitle={IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)},
  year={2019}
}"""  # noqa: E501 (a BibTeX field is one line)
FIELDS = (
    "`source` (shop/user), `pair_id`, and per garment: category id and name, `bbox` "
    "`[x1,y1,x2,y2]`, the category's own landmarks, polygons, scale, occlusion, zoom_in, "
    "viewpoint, style, and the `fixes` applied; `item_order`"
)
PEOPLE = "photographs of real people: commercial shop images and consumer photos of worn clothing"
BIASES = (
    "Upstream makes no statement on demographics. Clothing from commercial shops and "
    "their customers' photos: fashion and body types of that market."
)
