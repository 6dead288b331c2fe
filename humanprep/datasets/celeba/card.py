"""What the release card says of Multi-Modal-CelebA-HQ (humanprep.release.cardmeta lays it out)."""

BIBTEX = """@inproceedings{xia2021tedigan,
  title={TediGAN: Text-Guided Diverse Face Image Generation and Manipulation},
  author={Xia, Weihao and Yang, Yujiu and Xue, Jing-Hao and Wu, Baoyuan},
  booktitle={IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)},
  year={2021}
}

@inproceedings{lee2020maskgan,
  title={MaskGAN: Towards Diverse and Interactive Facial Image Manipulation},
  author={Lee, Cheng-Han and Liu, Ziwei and Wu, Lingyun and Luo, Ping},
  booktitle={IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)},
  year={2020}
}

@inproceedings{karras2018progressive,
  title={Progressive Growing of {GAN}s for Improved Quality, Stability, and Variation},
  author={Karras, Tero and Aila, Timo and Laine, Samuli and Lehtinen, Jaakko},
  booktitle={International Conference on Learning Representations (ICLR)},
  year={2018}
}

@inproceedings{liu2015faceattributes,
  title={Deep Learning Face Attributes in the Wild},
  author={Liu, Ziwei and Luo, Ping and Wang, Xiaogang and Tang, Xiaoou},
  booktitle={IEEE International Conference on Computer Vision (ICCV)},
  year={2015}
}"""
FIELDS = (
    "label map 0-18 in the official part order, parts present, 10 captions, CelebA "
    "original index and split, the published split and the `split_policy` used"
)
PEOPLE = (
    "photographs of celebrities' faces (CelebA, via CelebA-HQ), with machine-made "
    "captions of facial attributes"
)
BIASES = (
    "Upstream makes no statement on demographics. CelebA holds faces of celebrities; its "
    "captions are generated from its binary attribute labels, so they carry those labels' "
    "judgements (e.g. attractive, young)."
)
