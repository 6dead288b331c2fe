"""Checksum registry: what every raw file must be before anything reads it (TFDS-style).

One TSV per dataset, `registry/<set>/<dataset>.tsv`, header `file size sha256 md5 items kind`:
`md5` may be empty (recorded where upstream publishes one), `items` is how many dataset items
the file holds (it sizes the shards before any archive is opened), `kind` is zip, tar or file.

`size` and `sha256` may be empty too, in `registry/upstream/` for the gated archives whose
checksums nobody publishes. The first verification of such a file records what it found into
the user's own overlay registry (trust on first use, like TFDS's register_checksums); later
runs verify against the overlay. A published value that does not match is always an error.
"""

import fcntl
import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path

from humanprep.acquire.identity import recorded_identity
from humanprep.datasets import DESCRIPTORS
from humanprep.errors import HumanprepError
from humanprep.io import file_digests, write_text
from humanprep.progress import Progress

HEADER = ("file", "size", "sha256", "md5", "items", "kind")
KINDS = ("zip", "tar", "file")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_MD5 = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class Entry:
    """One registered file: its name in raw_dir/<dataset>/ and what it must hash to."""

    file: str
    size: int | None
    sha256: str | None
    md5: str
    items: int
    kind: str

    def line(self):
        return "\t".join(_field(getattr(self, name)) for name in HEADER)

    @property
    def complete(self):
        """Size and sha256 known: verification needs nothing recorded on first use."""
        return self.size is not None and self.sha256 is not None


def _field(value):
    return "" if value is None else str(value)


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
    if size and not size.isdigit():
        raise HumanprepError(f"{path}:{lineno}", f"size {size!r} is not a whole number or empty")
    if sha256 and not _SHA256.match(sha256):
        raise HumanprepError(
            f"{path}:{lineno}", f"sha256 {sha256!r} is not 64 lowercase hex or empty"
        )
    if md5 and not _MD5.match(md5):
        raise HumanprepError(f"{path}:{lineno}", f"md5 {md5!r} is not 32 lowercase hex or empty")
    if not items.isdigit():
        raise HumanprepError(f"{path}:{lineno}", f"items {items!r} is not a whole number")
    if kind not in KINDS:
        raise HumanprepError(f"{path}:{lineno}", f"kind {kind!r} is not one of {', '.join(KINDS)}")
    return Entry(file, int(size) if size else None, sha256 or None, md5, int(items), kind)


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


def load_urls(path):
    """{file: url} from an optional `<dataset>.urls.tsv` beside a registry (file, url)."""
    path = Path(path)
    if not path.is_file():
        return {}
    urls = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#") or line.split("\t")[0] == "file":
            continue
        fields = line.split("\t")
        if len(fields) != 2 or not fields[1].startswith(("https://", "http://")):
            raise HumanprepError(f"{path}:{lineno}", "expected `file<TAB>http(s) URL`")
        urls[fields[0]] = fields[1]
    return urls


def registry_digest(entries):
    """sha256 of a registry's entries in canonical form (sorted, no comments): what an
    acceptance of the terms is bound to."""
    rows = ["\t".join(HEADER)] + sorted(e.line() for e in entries)
    return hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()


def _merge_entry(base, own, overlay_path):
    """A published entry completed by the user's own record of the same file."""
    for name in ("size", "sha256", "md5"):
        published, recorded = getattr(base, name), getattr(own, name)
        if published and recorded and published != recorded:
            raise HumanprepError(
                overlay_path,
                f"{own.file}: recorded {name} {recorded} differs from the published {published}; "
                "the file you hold is not the published one (remove the line to record it again)",
            )
    return replace(
        base,
        size=base.size if base.size is not None else own.size,
        sha256=base.sha256 or own.sha256,
        md5=base.md5 or own.md5,
        items=own.items or base.items,
    )


def merged_registry(base_path, overlay_path=None):
    """The registry a run verifies against: the base set (shipped or the user's), each entry
    completed from the user's overlay, plus files registered only in the overlay."""
    entries = {e.file: e for e in load_registry(base_path)}
    if overlay_path and Path(overlay_path).is_file():
        for own in load_registry(overlay_path):
            base = entries.get(own.file)
            entries[own.file] = _merge_entry(base, own, overlay_path) if base else own
    return sorted(entries.values(), key=lambda e: e.file)


def registered_entry(registry_path, file, overlay_path=None):
    """The registry's entry for a raw file; an unlisted file is a one-line error."""
    path = Path(file)
    entries = merged_registry(registry_path, overlay_path)
    entry = next((e for e in entries if e.file == path.name), None)
    if entry is None:
        raise HumanprepError(path, f"not listed in {registry_path}; register it first")
    return entry


def record_first_use(overlay_path, entry, got):
    """Record size and checksums found for `entry` into the overlay (locked, atomic).

    Returns the line recorded; a different earlier record of the same file is an error.
    """
    overlay_path = Path(overlay_path)
    overlay_path.parent.mkdir(parents=True, exist_ok=True)
    new = replace(entry, size=got["size"], sha256=got["sha256"], md5=entry.md5 or got["md5"])
    with open(overlay_path.with_name(overlay_path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = {e.file: e for e in load_registry(overlay_path)} if overlay_path.exists() else {}
        old = current.get(entry.file)
        if old and old.complete and (old.size, old.sha256) != (new.size, new.sha256):
            raise HumanprepError(
                overlay_path,
                f"{entry.file} is recorded with {old.size} bytes, sha256 {old.sha256}, but the "
                f"file has {new.size} bytes, sha256 {new.sha256}",
            )
        current[entry.file] = new
        save_registry(overlay_path, current.values())
    return (
        f"recorded {entry.file}: {new.size} bytes, sha256 {new.sha256}, md5 {new.md5} "
        f"into {overlay_path} (trust on first use: later runs verify against it)"
    )


def save_registry(path, entries):
    """Write entries sorted by file name, atomically."""
    rows = ["\t".join(HEADER)] + [e.line() for e in sorted(entries, key=lambda e: e.file)]
    write_text(path, "\n".join(rows) + "\n")


def digests(path):
    """size, sha256 and md5 of a file, hashed in one streamed pass."""
    size = Path(path).stat().st_size
    progress = Progress(f"{Path(path).name}: hashing", None, total_bytes=size)
    return {"size": size, **file_digests(path, ("sha256", "md5"), progress)}


def verify_file(path, entry):
    """Hash `path` once and compare with its entry; returns {file, size, sha256, md5,
    identity}: the file system's identity of the file hashed."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as err:
        raise HumanprepError(path, f"cannot read: {err.strerror}") from None
    if entry.size is not None and size != entry.size:
        raise HumanprepError(
            path,
            f"size mismatch: expected {entry.size} bytes, found {size} "
            "(incomplete download or a different release?)",
        )
    before = recorded_identity(path)
    got = digests(path)
    if got["size"] != size:
        raise HumanprepError(
            path, f"size changed while reading: {size} bytes, then {got['size']} (changing?)"
        )
    if recorded_identity(path) != before:
        raise HumanprepError(path, "changed while it was being verified (being written?)")
    for name in ("sha256", "md5"):
        want = getattr(entry, name)
        if want and got[name] != want:
            raise HumanprepError(
                path, f"{name} mismatch: expected {want}, found {got[name]} (corrupt or different)"
            )
    return {
        "file": entry.file,
        "size": got["size"],
        "sha256": got["sha256"],
        "md5": got["md5"],
        # what later steps check before they read it (humanprep.acquire.identity)
        "identity": before,
    }


def _check_published(file, got, published):
    """A file that contradicts what upstream publishes for its name is never registered."""
    if published is None:
        return
    for name in ("size", "sha256", "md5"):
        want = getattr(published, name)
        if want and got[name] != want:
            raise HumanprepError(
                file,
                f"{name} {got[name]} differs from the published {want}: not the upstream file "
                "(corrupt download or another release)",
            )


def register(registry_path, files, items=None, kind=None, force=False, published=(), name=None):
    """Add files to a registry; returns one line per change (empty: nothing changed).
    `name`: the name one file is registered under (default: its own).

    An existing entry whose checksums differ is never replaced without `force`; a file whose
    size or checksums differ from a `published` entry of the same name is refused. Everything
    is checked before the registry is written, so a refusal changes nothing.
    """
    published, as_name = {e.file: e for e in published}, name
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
        name = as_name or file.name
        _check_published(file, got, published.get(name))
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


def unregister(registry_path, names):
    """Remove the entries of `names` from a registry; returns one line per removal. A name
    it does not hold is an error naming those it does (nothing is changed then)."""
    registry_path = Path(registry_path)
    current = {e.file: e for e in load_registry(registry_path)} if registry_path.exists() else {}
    unknown = [n for n in names if n not in current]
    if unknown:
        raise HumanprepError(
            registry_path,
            f"no entry {', '.join(unknown)} to remove; it holds "
            f"{', '.join(sorted(current)) or 'none'}",
        )
    lines = [f"removed {n} ({current.pop(n).size} bytes)" for n in names]
    save_registry(registry_path, current.values())
    return lines


def missing_message(dataset, file, folder):
    """One message for a raw file the user has not supplied yet, with how its dataset is
    obtained (the descriptor's `how_to_obtain`)."""
    target = Path(folder, file)
    title, how = DESCRIPTORS[dataset].title, DESCRIPTORS[dataset].how_to_obtain
    return (
        f"{target}: missing. This {title} file is obtained by hand; place it exactly at "
        f"{target}. How to obtain it: {how} Then re-run; it is checked against the registry."
    )
