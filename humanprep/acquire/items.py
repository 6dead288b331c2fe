"""Count a dataset's items in an archive from its member list (no password, no unpacking).

The count sizes the shard plan before anything is extracted, so `snakemake -n` knows the
job count of a dataset it has not unpacked yet. What counts as an item is the dataset's
descriptor's (`item_member` or `item_key`).
"""

import tarfile
import zipfile

from humanprep.datasets import DESCRIPTORS
from humanprep.errors import HumanprepError


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
    """Items the archive holds, as the dataset's descriptor recognises them."""
    return DESCRIPTORS[dataset].count_items(member_names(path))
