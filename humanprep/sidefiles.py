"""Dataset-wide side files split once, so a shard job reads only its own entries.

FDH's `metadata.json` is one JSON object keyed by FDH id (913 MB and 3.7 GB of Python
objects at full size). It is read once, streamed a chunk at a time with
`json.JSONDecoder.raw_decode` (never the whole text at once), into an SQLite table of
(key, JSON text); each normalise job then looks up its own items' entries by key, so its
memory does not grow with the dataset.
"""

import json
import logging
import sqlite3
import time
from pathlib import Path

from humanprep.datasets import DESCRIPTORS
from humanprep.errors import HumanprepError

log = logging.getLogger(__name__)

CHUNK = 1 << 20
MAX_VALUE = 64 << 20  # one entry larger than this is an error, not a reason to read on
_WS = " \t\n\r"
_DECODER = json.JSONDecoder()
BATCH = 10_000


class _Stream:
    """Characters of a UTF-8 file, a chunk at a time, with a window that grows on demand."""

    def __init__(self, fh, where):
        self.fh, self.where = fh, where
        self.buf, self.pos, self.eof, self.consumed = "", 0, False, 0

    def more(self):
        if self.eof:
            return False
        chunk = self.fh.read(CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.consumed += self.pos
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return True

    def skip_ws(self):
        while True:
            n = len(self.buf)
            while self.pos < n and self.buf[self.pos] in _WS:
                self.pos += 1
            if self.pos < n or not self.more():
                return

    def expect(self, chars):
        self.skip_ws()
        if self.pos >= len(self.buf):
            raise self.error(f"ends where one of {chars!r} was expected")
        found = self.buf[self.pos]
        if found not in chars:
            raise self.error(f"{found!r} where one of {chars!r} was expected")
        self.pos += 1
        return found

    def value(self):
        """The next JSON value and its text. A value that reaches the window's end may be
        cut short (a number), so it is decoded again with more text unless at EOF."""
        self.skip_ws()
        while True:
            try:
                obj, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as err:
                if len(self.buf) - self.pos < MAX_VALUE and self.more():
                    continue
                raise self.error(f"invalid JSON: {err.msg}") from None
            if end < len(self.buf) or self.eof or not self.more():
                text = self.buf[self.pos : end]
                self.pos = end
                return obj, text

    def error(self, problem):
        return HumanprepError(self.where, f"{problem} (near character {self.consumed + self.pos})")


def iter_object(path):
    """(key, value JSON text) of each member of the top-level JSON object in `path`,
    streamed: memory holds one chunk and one value at a time."""
    with open(path, encoding="utf-8") as fh:
        s = _Stream(fh, path)
        s.expect("{")
        s.skip_ws()
        if s.pos < len(s.buf) and s.buf[s.pos] == "}":
            return
        while True:
            key, _ = s.value()
            if not isinstance(key, str):
                raise s.error("object key is not a string")
            s.expect(":")
            _, text = s.value()
            yield key, text
            if s.expect(",}") == "}":
                return


def build_metadata_db(json_path, db_path, progress_interval=10.0):
    """Split `json_path` (one object keyed by id) into an SQLite table meta(key, json).
    A repeated key keeps its last value, as json.load does. Returns the entry count."""
    db_path = Path(db_path)
    db_path.unlink(missing_ok=True)
    con = sqlite3.connect(db_path)
    try:
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, json TEXT NOT NULL) WITHOUT ROWID")
        count, batch = 0, []
        t0 = last = time.monotonic()
        for key, text in iter_object(json_path):
            batch.append((key, text))
            if len(batch) >= BATCH:
                con.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", batch)
                count += len(batch)
                batch = []
                now = time.monotonic()
                if now - last >= progress_interval:
                    last = now
                    log.info("%s: %d entries split (%.0f/s)", Path(json_path).name, count,
                             count / (now - t0))  # fmt: skip
        con.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", batch)
        count += len(batch)
        con.commit()
    finally:
        con.close()
    return count


class MetadataDB:
    """Read-only lookups of a build_metadata_db table: `get(key)` gives the parsed entry."""

    def __init__(self, db_path):
        self.con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)

    def get(self, key, default=None):
        row = self.con.execute("SELECT json FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default


def split_side_files(dataset, side, out_dir, progress_interval=10.0):
    """Split the dataset's dataset-wide side files into out_dir; returns the names of the
    files written (they become side files of the same names)."""
    written = []
    for source, target in DESCRIPTORS[dataset].side_splits.items():
        if source in side:
            n = build_metadata_db(side[source], Path(out_dir) / target, progress_interval)
            log.info("%s: %s split into %s (%d entries)", dataset, source, target, n)
            written.append(target)
    return written
