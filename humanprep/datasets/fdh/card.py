"""What the release card says of FDH (humanprep.release.cardmeta lays it out)."""

BIBTEX = """@inproceedings{hukkelas2023deepprivacy2,
  title={DeepPrivacy2: Towards Realistic Full-Body Anonymization},
  author={Hukkel{\\aa}s, H{\\aa}kon and Lindseth, Frank},
  booktitle={IEEE/CVF Winter Conference on Applications of Computer Vision (WACV)},
  year={2023}
}"""
FIELDS = (
    "masks, COCO-17 keypoints in pixels (units detected per file), CSE vertices `.npy` as "
    "shipped, the source tar, YFCC100M line index and date taken"
)
PEOPLE = (
    "Flickr photographs of real people (YFCC100M) under Creative Commons licences, with "
    "author and source URL per image (ATTRIBUTION.csv); Flickr users may opt out, and "
    "`normalise.fdh.opt_out_nsids` removes their images before anything is written"
)
BIASES = (
    "Upstream makes no statement on demographics. Flickr photographs of people selected "
    "by a detector: who uses Flickr, and what the detector finds, decide who is in it."
)
REMOVAL = (
    "FDH opt-outs by Flickr NSID: rebuild with them in `normalise.fdh.opt_out_nsids` and "
    "bump the major version"
)
