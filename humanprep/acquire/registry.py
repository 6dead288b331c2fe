"""Checksum registry: what every raw file must be before anything reads it (TFDS-style).

One TSV per dataset, `registry/<set>/<dataset>.tsv`, header `file size sha256 md5 items kind`:
`md5` may be empty (recorded where upstream publishes one), `items` is how many dataset items
the file holds (it sizes the shards before any archive is opened), `kind` is zip, tar or file.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from humanprep.datasets import TITLES
from humanprep.errors import HumanprepError
from humanprep.io import file_digests, write_text

HEADER = ("file", "size", "sha256", "md5", "items", "kind")
KINDS = ("zip", "tar", "file")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_MD5 = re.compile(r"^[0-9a-f]{32}$")

# How each dataset is obtained through its official channel (shown when a file is missing).
HOW_TO_OBTAIN = {
    "shhq": (
        "Request SHHQ-1.0 with the data request form linked from the StyleGAN-Human GitHub "
        "page (github.com/stylegan-human/StyleGAN-Human); the download link and the zip "
        "password arrive by email."
    ),
    "fdh": (
        "Download metadata.json, embed_map.torch, embeddings.tar and the per-licence tars "
        "listed on the FDH page of the DeepPrivacy2 repository (github.com/hukkelas/"
        "deep_privacy2) and check each against the md5 published there."
    ),
    "deepfashion2": (
        "Download the zips from the links in the DeepFashion2 repository "
        "(github.com/switchablenorms/DeepFashion2) and fill in the Google form linked there "
        "to receive the zip password."
    ),
    "huge100k": (
        "Request access to the gated HuGe100K dataset on Hugging Face (linked from the IDOL "
        "project); once approved, download it while logged in (e.g. `huggingface-cli "
        "download --repo-type dataset ...`)."
    ),
    "celeba": (
        "Download CelebAMask-HQ.zip from the Google Drive link in the CelebAMask-HQ repository "
        "(github.com/switchablenorms/CelebAMask-HQ), and the captions and splits from the "
        "Multi-Modal-CelebA-HQ repository (github.com/IIGROUP/MM-CelebA-HQ-Dataset)."
    ),
}


@dataclass(frozen=True)
class Entry:
    """One registered file: its name in raw_dir/<dataset>/ and what it must hash to."""

    file: str
    size: int
    sha256: str
    md5: str
    items: int
    kind: str

    def line(self):
        return "\t".join(str(getattr(self, name)) for name in HEADER)


def infer_kind(name):
    name = str(name).lower()
    if name.endswith(".zip"):
        return "zip"
    if name.endswith((".tar", ".tar.gz", ".tgz")):
        return "tar"
    return "file"


def _parse_line(path, lineno, line):
    fields = line.split("\t")
    if len(fields) != len(HEADER):
        raise HumanprepError(
            f"{path}:{lineno}", f"expected {len(HEADER)} tab-separated fields, got {len(fields)}"
        )
    file, size, sha256, md5, items, kind = (f.strip() for f in fields)
    if not file or "/" in file or "\\" in file or file in (".", ".."):
        raise HumanprepError(f"{path}:{lineno}", f"bad file name {file!r} (a bare name expected)")
    if not size.isdigit():
        raise HumanprepError(f"{path}:{lineno}", f"size {size!r} is not a whole number")
    if not _SHA256.match(sha256):
        raise HumanprepError(f"{path}:{lineno}", f"sha256 {sha256!r} is not 64 lowercase hex")
    if md5 and not _MD5.match(md5):
        raise HumanprepError(f"{path}:{lineno}", f"md5 {md5!r} is not 32 lowercase hex or empty")
    if not items.isdigit():
        raise HumanprepError(f"{path}:{lineno}", f"items {items!r} is not a whole number")
    if kind not in KINDS:
        raise HumanprepError(f"{path}:{lineno}", f"kind {kind!r} is not one of {', '.join(KINDS)}")
    return Entry(file, int(size), sha256, md5, int(items), kind)


def load_registry(path):
    """Entries of one dataset's registry; a missing or malformed file is a one-line error."""
    path = Path(path)
    if not path.is_file():
        raise HumanprepError(
            path,
            "checksum registry not found; record the files you hold with "
            "`humanprep register <dataset> FILE... --items N` (see README, Using real data)",
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise HumanprepError(path, f"cannot read registry: {err}") from None
    entries, seen, header_seen = [], {}, False
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not header_seen:
            if tuple(f.strip() for f in line.split("\t")) != HEADER:
                raise HumanprepError(
                    f"{path}:{lineno}", f"header must be {' '.join(HEADER)} (tab-separated)"
                )
            header_seen = True
            continue
        entry = _parse_line(path, lineno, line)
        if entry.file in seen:
            raise HumanprepError(
                f"{path}:{lineno}", f"{entry.file} listed twice (first on line {seen[entry.file]})"
            )
        seen[entry.file] = lineno
        entries.append(entry)
    if not header_seen:
        raise HumanprepError(path, f"empty registry: header {' '.join(HEADER)} missing")
    return entries


def registered_entry(registry_path, file):
    """The registry's entry for a raw file; an unlisted file is a one-line error."""
    path = Path(file)
    entry = next((e for e in load_registry(registry_path) if e.file == path.name), None)
    if entry is None:
        raise HumanprepError(path, f"not listed in {registry_path}; register it first")
    return entry


def save_registry(path, entries):
    """Write entries sorted by file name, atomically."""
    rows = ["\t".join(HEADER)] + [e.line() for e in sorted(entries, key=lambda e: e.file)]
    write_text(path, "\n".join(rows) + "\n")


def digests(path):
    """size, sha256 and md5 of a file, hashed in one streamed pass."""
    return {"size": Path(path).stat().st_size, **file_digests(path, ("sha256", "md5"))}


def verify_file(path, entry):
    """Hash `path` once and compare with its entry; returns {file, size, sha256, md5}."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as err:
        raise HumanprepError(path, f"cannot read: {err.strerror}") from None
    if size != entry.size:
        raise HumanprepError(
            path,
            f"size mismatch: expected {entry.size} bytes, found {size} "
            "(incomplete download or a different release?)",
        )
    got = digests(path)
    if got["size"] != entry.size:
        raise HumanprepError(
            path, f"size mismatch: expected {entry.size} bytes, read {got['size']} (changing?)"
        )
    for name in ("sha256", "md5"):
        want = getattr(entry, name)
        if want and got[name] != want:
            raise HumanprepError(
                path, f"{name} mismatch: expected {want}, found {got[name]} (corrupt or different)"
            )
    return {"file": entry.file, "size": got["size"], "sha256": got["sha256"], "md5": got["md5"]}


def register(registry_path, files, items=None, kind=None, force=False):
    """Add files to a registry; returns one line per change (empty: nothing changed).

    An existing entry whose checksums differ is never replaced without `force`. Everything is
    checked before the registry is written, so a refusal changes nothing.
    """
    registry_path = Path(registry_path)
    if items is not None and items < 0:
        raise HumanprepError(registry_path, f"--items must be 0 or more, got {items}")
    if kind is not None and kind not in KINDS:
        raise HumanprepError(registry_path, f"--kind must be one of {', '.join(KINDS)}")
    current = {e.file: e for e in load_registry(registry_path)} if registry_path.exists() else {}
    changes = []
    for file in files:
        file = Path(file)
        if not file.is_file():
            raise HumanprepError(file, "not a file")
        got = digests(file)
        name = file.name
        old = current.get(name)
        new = Entry(
            file=name,
            size=got["size"],
            sha256=got["sha256"],
            md5=got["md5"],
            items=items if items is not None else (old.items if old else 0),
            kind=kind or (old.kind if old else infer_kind(name)),
        )
        if old is None:
            current[name] = new
            changes.append(f"added {name} ({new.size} bytes, {new.items} items, {new.kind})")
            continue
        if new == old:
            continue
        same_data = (old.size, old.sha256) == (new.size, new.sha256) and (
            not old.md5 or old.md5 == new.md5
        )
        if not same_data and not force:
            raise HumanprepError(
                registry_path,
                f"{name} is registered with {old.size} bytes, sha256 {old.sha256}, but the file "
                f"has {new.size} bytes, sha256 {new.sha256}; use --force to replace the entry",
            )
        what = [
            f"{field} {getattr(old, field)} -> {getattr(new, field)}"
            for field in HEADER[1:]
            if getattr(old, field) != getattr(new, field)
        ]
        current[name] = new
        changes.append(f"{'replaced' if not same_data else 'updated'} {name}: {', '.join(what)}")
    if changes:
        save_registry(registry_path, current.values())
    return changes


def missing_message(dataset, file, folder, how):
    """One message for a raw file the user has not supplied yet."""
    target = Path(folder, file)
    title = TITLES.get(dataset, dataset)
    return (
        f"{target}: missing. This {title} file is obtained by hand; place it exactly at "
        f"{target}. How to obtain it: {how} Then re-run; it is checked against the registry."
    )
