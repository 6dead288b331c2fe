"""Deterministic COCO JSON written from streamed parts, in bounded memory.

A COCO file is one JSON object; its `images` and `annotations` arrays can be far larger
than the rest (DeepFashion2 train: 191,961 images, each garment a 882-number keypoint
vector). Each element is serialised once, as it is produced, into an unnamed spool file;
only (id, offset, length) stays in memory. `CocoFile.write` then emits the elements sorted
by id. The bytes are exactly `humanprep.io.dumps` of the whole document (sorted keys,
", " / ": " separators, UTF-8 kept, trailing newline), so a reader that re-dumps a loaded
file gets it back byte for byte.
"""

import json
import math
import os
import tempfile
from pathlib import Path

from humanprep.errors import HumanprepError
from humanprep.oserrors import annotate

DECIMALS = 2  # coordinates, box sizes, keypoints: 1/100 pixel


def num(value, decimals=DECIMALS):
    """A finite number rounded to `decimals`; integral values become ints ("12", not "12.0")."""
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    value = round(value, decimals)
    return int(value) if value.is_integer() else value


def _json(obj):
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, allow_nan=False)


class Spool:
    """An array of JSON elements keyed by integer id, spooled to a temporary file."""

    def __init__(self, where, directory=None):
        self.where = where
        self._file = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115 (closed by close)
        self._dir = directory or tempfile.gettempdir()
        self._index = []  # (id, offset, length)
        self._ids = set()
        self._offset = 0

    def __len__(self):
        return len(self._index)

    @property
    def size(self):
        """Bytes of the elements spooled so far."""
        return self._offset

    def add(self, key, obj):
        if key in self._ids:
            raise HumanprepError(self.where, f"duplicate id {key}")
        self._ids.add(key)
        data = _json(obj).encode("utf-8")
        try:
            self._file.write(data)
        except OSError as err:
            raise annotate(err, self._dir) from None
        self._index.append((key, self._offset, len(data)))
        self._offset += len(data)

    def write_sorted(self, out):
        """Write `[e1, e2, ...]` (sorted by id) to the binary stream `out`."""
        self._file.flush()
        fd = self._file.fileno()
        out.write(b"[")
        for n, (_, offset, length) in enumerate(sorted(self._index)):
            if n:
                out.write(b", ")
            out.write(os.pread(fd, length, offset))
        out.write(b"]")

    def close(self):
        self._file.close()


class CocoFile:
    """One COCO document: spooled `images` and `annotations`, plus small header objects."""

    def __init__(self, path, header, spool_dir=None):
        self.path = Path(path)
        self.header = dict(header)  # categories, info, licenses, ...
        spool_dir = spool_dir or self.path.parent
        Path(spool_dir).mkdir(parents=True, exist_ok=True)
        self.images = Spool(f"{self.path.name} images", spool_dir)
        self.annotations = Spool(f"{self.path.name} annotations", spool_dir)

    def write(self):
        """Write the document atomically (temporary file beside it, then rename)."""
        parts = dict(self.header)
        parts["images"], parts["annotations"] = self.images, self.annotations
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
        )
        try:
            with os.fdopen(fd, "wb", buffering=1 << 20) as out:
                out.write(b"{")
                for n, key in enumerate(sorted(parts)):
                    out.write((", " if n else "").encode() + _json(key).encode() + b": ")
                    value = parts[key]
                    if isinstance(value, Spool):
                        value.write_sorted(out)
                    else:
                        out.write(_json(value).encode("utf-8"))
                out.write(b"}\n")
            os.chmod(tmp, 0o644)
            os.replace(tmp, self.path)
        except OSError as err:  # a failed write() names no file: say which, and how much
            needed = self.images.size + self.annotations.size
            raise annotate(err, self.path, needed) from None
        finally:
            Path(tmp).unlink(missing_ok=True)
            self.images.close()
            self.annotations.close()
        return self.path
