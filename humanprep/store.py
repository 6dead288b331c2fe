"""The shard store: every item file lives in one container per shard and split.

A shard's folder (`<shard>/`, beside its `<shard>.jsonl` records) holds one WebDataset tar
per split it has items of, `<split>.tar`: each item's files are members `<key>.<name>`
(`<key>.image.jpg`, `<key>.mask.png`, ...) followed by its record, `<key>.json`. Tars are
written with fixed member order, mtimes, owners and modes (humanprep.tarutil), so the same
items give the same bytes. Why tar, not Parquet: docs/store.md.

A record names each of its files by a reference string, relative to the folder the record
lies in: `<shard>/<split>.tar::<offset>::<size>::<member>`, the offset of the member's data
taken while the tar was written. Reading one file is one seek and one read (`read`), which
also takes the member's 512-byte header and checks that it names that member with that
size, so a tar cut short or edited is caught, not read as another member's bytes.

Normalisers and derived stages write through `ItemFiles.write(name, data)`, which holds
the bytes until the item is committed: a quarantined item leaves nothing behind, and an
item's split (known only once its record is made) picks its container.
"""

import hashlib
import io
import os
import re
import shutil
import tarfile
from pathlib import Path

from humanprep.errors import HumanprepError
from humanprep.io import dumps
from humanprep.oserrors import annotate
from humanprep.tarutil import TAR_FORMAT, tar_info

BLOCK = 512
SEP = "::"
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_PENDING = "\0pending\0"  # a prefix no decoded text of a raw file carries


class StoreError(HumanprepError):
    """A container that does not hold what a record says (cut short, edited, replaced)."""


def item_key(item_id):
    """An item's key in its container: file-system safe, no dots (WebDataset cuts a member
    name at its first dot) and collision-free (a hash of the id when anything changed)."""
    key = _UNSAFE.sub("_", item_id)
    if key != item_id:
        key += "-" + hashlib.sha256(item_id.encode()).hexdigest()[:8]
    return key


def container_name(shard, split):
    return f"{shard}/{split}.tar"


def make_ref(container, offset, size, member):
    return f"{container}{SEP}{offset}{SEP}{size}{SEP}{member}"


def is_ref(value):
    return isinstance(value, str) and value.count(SEP) >= 3 and value.split(SEP, 2)[1].isdigit()


def parse_ref(ref):
    """(container, offset, size, member) of a reference string."""
    try:
        container, offset, size, member = ref.split(SEP, 3)
        return container, int(offset), int(size), member
    except (AttributeError, ValueError):
        raise ValueError(f"not a store reference: {ref!r}") from None


def member_name(ref):
    """The member a reference names (`<key>.<name>`), the name its file gets on disk."""
    return parse_ref(ref)[3]


def _header_problem(header, member, size):
    """Why a member header does not announce `member` with `size` bytes, or None. The
    fields are compared as bytes (parsing the header with tarfile cost more than the read);
    a pax header (long names) leaves a shortened name in the ustar block, so the name is
    compared where it fits."""
    if len(header) != BLOCK or header[257:262] != b"ustar":
        return "no tar header before it"
    name = member.encode("utf-8", "surrogateescape")
    found_name = header[:100].split(b"\0", 1)[0]
    found_size = _octal(header[124:136])
    if found_size is None:
        return "no valid tar header before it (its size field is not a number)"
    if sum(header[:148]) + 256 + sum(header[156:]) != _octal(header[148:156]):
        return "no valid tar header before it (bad checksum)"
    if found_size != size or (len(name) <= 100 and found_name != name):
        shown = found_name.decode("utf-8", "replace")
        return f"the header there names {shown!r} of {found_size} bytes"
    return None


def _octal(field):
    """A tar header's octal number field, or None when it holds none."""
    try:
        return int(field.split(b"\0", 1)[0].strip() or b"0", 8)
    except ValueError:
        return None


def read(base, ref, item=None):
    """The bytes of the file `ref` names, relative to folder `base`: one seek and one read
    (the member's header with it, checked). `item` names the item in the error."""
    container, offset, size, member = parse_ref(ref)
    path = Path(base, container)
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        raise damaged(path, member, item, "is missing") from None
    try:
        data = os.pread(fd, size + BLOCK, offset - BLOCK)
    finally:
        os.close(fd)
    if len(data) != size + BLOCK:
        raise damaged(path, member, item, f"ends inside member {member} (cut short)")
    problem = _header_problem(data[:BLOCK], member, size)
    if problem:
        raise damaged(path, member, item, f"does not hold {member} at byte {offset}: {problem}")
    return data[BLOCK:]


def read_checked(base, ref, sha256, item=None):
    """`read`, and the bytes' sha256 must be the record's."""
    data = read(base, ref, item)
    if hashlib.sha256(data).hexdigest() != sha256:
        container, _, _, member = parse_ref(ref)
        raise damaged(Path(base, container), member, item, f"{member} does not match its sha256")
    return data


def damaged(path, member, item, problem):
    """The one-line error for a damaged container; the shard's folder is removed (it is a
    workflow output, never raw data), so that the next run rebuilds the shard."""
    path = Path(path)
    shard = path.parent
    where = f" (item {item})" if item else ""
    removed = ""
    if shard.name.startswith("shard-") and shard.is_dir() and _in_results(shard):
        shutil.rmtree(shard, ignore_errors=True)
        removed = f"; removed {shard} so that the next run rebuilds that shard"
    return StoreError(path, f"{problem}{where}{removed}")


def _in_results(shard):
    """Only a store's or derived subset's shard is removed, never a release's."""
    return not (shard.parent.parent / "SHA256SUMS").exists()


def image_bytes(base, record):
    """The record's main image, its sha256 checked against the record's."""
    image = record["image"]
    return read_checked(base, image["path"], image["sha256"], record["id"])


def decode_image(data):
    """Image bytes decoded by Pillow (loaded: nothing stays open)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image


def open_image(base, ref, item=None):
    """A picture of the store (a mask, a map) decoded by Pillow."""
    return decode_image(read(base, ref, item))


def record_image(base, record):
    """A record's main image decoded by Pillow, its sha256 checked against the record's."""
    return decode_image(image_bytes(base, record))


def refs_in(value):
    """Every store reference in a record (any depth), in a fixed order."""
    if isinstance(value, dict):
        for key in sorted(value):
            yield from refs_in(value[key])
    elif isinstance(value, list):
        for v in value:
            yield from refs_in(v)
    elif is_ref(value):
        yield value


def replace_refs(value, mapping):
    """The record with each reference string found in `mapping` replaced."""
    if isinstance(value, dict):
        return {k: replace_refs(v, mapping) for k, v in value.items()}
    if isinstance(value, list):
        return [replace_refs(v, mapping) for v in value]
    if isinstance(value, str):
        return mapping.get(value, value)
    return value


class ItemFiles:
    """One item's files, held until the item is committed to its shard's container.
    `write` returns a placeholder that the commit turns into the file's reference."""

    def __init__(self, item_id):
        self.id = item_id
        self.files = {}

    def write(self, name, data):
        if name in self.files:
            raise ValueError(f"{self.id}: file {name} written twice")
        self.files[name] = bytes(data)
        return f"{_PENDING}{name}"

    @property
    def nbytes(self):
        return sum(len(d) for d in self.files.values())


class ShardWriter:
    """Writes a shard's containers into `folder` (a temporary folder that the caller renames
    into place), one tar per split, opened as items of that split arrive."""

    def __init__(self, folder, shard):
        self.folder = Path(folder)
        self.shard = shard
        self.tars = {}
        self.keys = set()

    def item(self, item_id):
        return ItemFiles(item_id)

    def _tar(self, split):
        if split not in self.tars:
            path = self.folder / f"{split}.tar"
            self.tars[split] = (tarfile.open(path, "w", format=TAR_FORMAT), path)  # noqa: SIM115
        return self.tars[split]

    def commit(self, files, record, split=None, with_record=True):
        """Append the item's files (in the order written) and, with `with_record`, its
        record as `<key>.json` to its split's tar; return the record with its references."""
        key = item_key(files.id)
        if key in self.keys:
            raise ValueError(f"{files.id}: item written twice in shard {self.shard}")
        self.keys.add(key)
        split = split or record["split"]
        tar, path = self._tar(split)
        container = container_name(self.shard, split)
        mapping = {}
        try:
            for name, data in files.files.items():
                member = f"{key}.{name}"
                tar.addfile(tar_info(member, len(data)), io.BytesIO(data))
                # the data ends the tar so far, padded to whole blocks
                offset = tar.offset - -(-len(data) // BLOCK) * BLOCK
                mapping[f"{_PENDING}{name}"] = make_ref(container, offset, len(data), member)
            record = replace_refs(record, mapping)
            if with_record:
                text = dumps(record).encode()
                tar.addfile(tar_info(f"{key}.json", len(text)), io.BytesIO(text))
        except OSError as err:
            raise annotate(err, path, files.nbytes) from None
        return record

    def close(self):
        for tar, path in self.tars.values():
            try:
                tar.close()
            except OSError as err:
                raise annotate(err, path) from None
        self.tars = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
