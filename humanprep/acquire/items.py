"""Count a dataset's items in an archive from its member list (no password, no unpacking).

The count sizes the shard plan before anything is extracted, so `snakemake -n` knows the
job count of a dataset it has not unpacked yet.
"""

import re
import tarfile
import zipfile
from pathlib import PurePosixPath

from humanprep.errors import HumanprepError

# A member that is one item's main file, per dataset.
ITEM_MEMBER = {
    "shhq": re.compile(r"(^|/)no_segment/[^/]+\.jpg$"),
    "deepfashion2": re.compile(r"(^|/)image/[^/]+\.jpg$"),
    "huge100k": re.compile(r"(^|/)videos/[^/]+\.mp4$"),
    "celeba": re.compile(r"(^|/)CelebA-HQ-img/[^/]+\.jpg$"),
}


def member_names(path):
    """Names of the regular files in a zip or tar archive."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                return [i.filename for i in zf.infolist() if not i.is_dir()]
        with tarfile.open(path) as tf:
            return [m.name for m in tf.getmembers() if m.isfile()]
    except (OSError, tarfile.TarError, zipfile.BadZipFile) as err:
        raise HumanprepError(path, f"cannot list the archive: {err}") from None


def count_items(dataset, path):
    """Items the archive holds: FDH counts distinct WebDataset keys, others their main files."""
    names = member_names(path)
    if dataset == "fdh":
        return len({PurePosixPath(n).name.split(".", 1)[0] for n in names})
    return sum(1 for n in names if ITEM_MEMBER[dataset].search(n))
