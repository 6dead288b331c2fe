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
    """Names of the regular files in a zip or tar archive, listed completely or not at all."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                return [i.filename for i in zf.infolist() if not i.is_dir()]
        with tarfile.open(path) as tf:
            members = tf.getmembers()
            _check_listed_to_the_end(path, tf, len(members))
            return [m.name for m in members if m.isfile()]
    except (OSError, tarfile.TarError, zipfile.BadZipFile, EOFError) as err:
        raise HumanprepError(path, f"cannot list the archive: {err}") from None


def _check_listed_to_the_end(path, tf, count):
    """tarfile ends its listing silently at a bad header after the first member: only zero
    blocks (the end-of-archive marker and padding) may follow where it stopped."""
    tf.fileobj.seek(tf.offset)
    while block := tf.fileobj.read(1 << 20):
        if block.count(0) != len(block):
            raise HumanprepError(
                path,
                f"cannot list the archive completely: a bad member header at byte {tf.offset} "
                f"after {count} members (damaged or truncated; download it again)",
            )


def count_items(dataset, path):
    """Items the archive holds, as the dataset's descriptor recognises them."""
    return DESCRIPTORS[dataset].count_items(member_names(path))
