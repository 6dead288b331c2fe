"""Resumable, verified HTTP downloads.

A file is written to `dest.part` and renamed into place only after its size and checksums
match, so `dest` is either absent or good. The validator (strong ETag, else Last-Modified) seen
when a transfer starts is kept in `dest.part.json`; a later call resumes the part with `Range`
plus `If-Range`, and starts over whenever the server sends the whole body or a different
validator. Transient network and server failures are retried with capped exponential backoff
and full jitter (or the server's Retry-After); anything else fails at once, in one line.
"""

import contextlib
import email.utils
import hashlib
import json
import logging
import os
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests
import urllib3

from humanprep.acquire.identity import FIELDS as IDENTITY_FIELDS
from humanprep.acquire.identity import file_identity
from humanprep.acquire.registry import digests as size_and_digests
from humanprep.acquire.urls import sanitise_url
from humanprep.errors import HumanprepError
from humanprep.io import write_json
from humanprep.oserrors import describe

log = logging.getLogger(__name__)

RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
# Failures worth another try: the connection, not the request, went wrong.
NETWORK_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
)
# The same, as urllib3 raises them while the body streams.
STREAM_ERRORS = (
    urllib3.exceptions.ProtocolError,
    urllib3.exceptions.TimeoutError,
    urllib3.exceptions.SSLError,
)
HASHES = ("sha256", "md5")


class _Transient(Exception):
    """A failure another attempt may get past; `retry_after` is the server's wish, if any."""

    def __init__(self, reason, retry_after=None):
        super().__init__(reason)
        self.retry_after = retry_after


class _Restart(Exception):
    """The part on disk cannot be continued; start again from byte 0 without waiting."""


@dataclass
class _Job:
    url: str
    dest: Path
    where: str
    size: int | None
    expect: dict
    session: requests.Session
    timeout: tuple
    chunk: int
    progress: "_Progress"
    auth: object = None  # given to every request (requests' netrc only applies without it)
    fetched: int = 0
    hashed: tuple = (0, None)  # (bytes, hashers) over the part so far, kept across retries
    part: Path = field(init=False)
    sidecar: Path = field(init=False)

    def __post_init__(self):
        self.part = self.dest.with_name(self.dest.name + ".part")
        self.sidecar = self.dest.with_name(self.dest.name + ".part.json")


def parse_retry_after(value, now=None):
    """Seconds to wait from a Retry-After value (delta seconds or HTTP date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


def backoff_delay(retry, retry_after, *, backoff, max_backoff, rng):
    """Delay before retry number `retry` (0-based): the server's wish, else full jitter."""
    if retry_after is not None:
        return min(retry_after, max_backoff)
    return rng.uniform(0.0, min(max_backoff, backoff * 2.0 ** min(retry, 64)))


def download(
    url,
    dest,
    *,
    size=None,
    sha256=None,
    md5=None,
    label=None,
    session=None,
    auth=None,
    retries=6,
    backoff=1.0,
    max_backoff=30.0,
    timeout=(10, 60),
    progress_interval=5.0,
    chunk=1 << 20,
    rng=None,
    sleep=time.sleep,
    clock=time.monotonic,
):
    """Fetch `url` to `dest`, resuming and retrying, and verify it before it appears.

    Returns {url (sanitised), path, size, sha256, md5, retries, resumed_from, bytes_fetched,
    seconds}; `resumed_from` is the offset the completing transfer started at. `auth` (a
    requests auth) goes with every request, and then ~/.netrc is not read for it.
    """
    dest = Path(dest)
    shown = sanitise_url(url)
    where = f"{label} {shown}" if label else shown
    expect = {k: v.lower() for k, v in (("sha256", sha256), ("md5", md5)) if v}
    started = clock()
    if dest.exists():
        digests = _check_existing(dest, size, expect, where)
        if digests:
            log.info("%s: already present and verified (%s)", where, dest)
            return _result(shown, dest, digests, 0, None, 0, 0.0)
    with _local(dest.parent, where):
        dest.parent.mkdir(parents=True, exist_ok=True)
    own_session = session is None
    session = session or requests.Session()
    progress = _Progress(where, size, clock, progress_interval)
    job = _Job(url, dest, where, size, expect, session, timeout, chunk, progress, auth)
    rng = rng or random.Random()
    try:
        offset, hashers, retried = _with_retries(job, retries, backoff, max_backoff, rng, sleep)
    finally:
        if own_session:
            session.close()
    digests = _finish(job, hashers)
    seconds = clock() - started
    log.info(
        "%s: done, %d bytes in %.1f s (%s/s), %d fetched, %d retries, resumed from %d",
        where,
        digests["size"],
        seconds,
        _human(job.fetched / seconds if seconds > 0 else 0),
        job.fetched,
        retried,
        offset,
    )
    return _result(shown, dest, digests, retried, offset, job.fetched, seconds)


def _result(shown, dest, digests, retries, resumed_from, fetched, seconds):
    return {
        "url": shown,
        "path": str(dest),
        "size": digests["size"],
        "sha256": digests["sha256"],
        "md5": digests["md5"],
        "retries": retries,
        "resumed_from": resumed_from or 0,
        "bytes_fetched": fetched,
        "seconds": round(seconds, 3),
    }


def _with_retries(job, retries, backoff, max_backoff, rng, sleep):
    retried = 0
    while True:
        try:
            offset, hashers = _attempt(job)
            return offset, hashers, retried
        except _Restart:
            continue  # bounded: a restart begins at byte 0, which cannot restart again
        except _Transient as exc:
            if retried >= retries:
                raise HumanprepError(job.where, f"gave up after {retried} retries: {exc}") from None
            delay = backoff_delay(
                retried, exc.retry_after, backoff=backoff, max_backoff=max_backoff, rng=rng
            )
            log.warning("%s: %s; retry %d in %.1f s", job.where, exc, retried + 1, delay)
            sleep(delay)
            retried += 1


def _attempt(job):
    """One request; returns (offset the transfer started at, hashers over the whole part)."""
    offset, validator = _resume_point(job)
    if offset and offset == job.size:
        return offset, _hash_part(job, offset)  # complete before the rename: nothing to fetch
    headers = {"Accept-Encoding": "identity"}  # byte ranges of the file, not of a gzip of it
    if offset:
        headers["Range"] = f"bytes={offset}-"
        if validator:
            headers["If-Range"] = validator
    try:
        resp = job.session.get(
            job.url, headers=headers, stream=True, timeout=job.timeout, auth=job.auth
        )
    except requests.exceptions.SSLError as exc:  # a bad certificate will not get better
        raise HumanprepError(job.where, _describe(exc)) from None
    except NETWORK_ERRORS as exc:
        raise _Transient(_describe(exc)) from None
    except requests.RequestException as exc:
        raise HumanprepError(job.where, _describe(exc)) from None
    with resp:
        if resp.status_code == 416 and offset:
            if _content_range(resp.headers.get("Content-Range"))[2] == offset:
                return offset, _hash_part(job, offset)  # the part already holds it all
            _restart(job, f"server cannot continue from byte {offset}")
        offset = _accept(job, resp, offset, validator)
        return offset, _receive(job, resp, offset)


def _accept(job, resp, offset, validator):
    """Check the response; returns the offset its body starts at (0 after a restart)."""
    code = resp.status_code
    if code in RETRY_STATUS:
        raise _Transient(f"HTTP {code}", parse_retry_after(resp.headers.get("Retry-After")))
    if code not in (200, 206):
        raise HumanprepError(job.where, f"HTTP {code} {resp.reason}".strip())
    current = _validator(resp.headers)
    if code == 206:
        if not offset:
            raise HumanprepError(job.where, "server sent a partial response to a full request")
        first, _, total = _content_range(resp.headers.get("Content-Range"))
        if first != offset:
            _restart(job, f"server resumed at byte {first}, not {offset}")
        if current != validator:
            _restart(job, "file changed on the server since the transfer began")
        if job.size is not None and total is not None and total != job.size:
            raise HumanprepError(job.where, f"server has {total} bytes, expected {job.size}")
        return offset
    length = _int(resp.headers.get("Content-Length"))
    if job.size is not None and length is not None and length != job.size:
        raise HumanprepError(job.where, f"server sends {length} bytes, expected {job.size}")
    if offset:
        log.info("%s: server sent the whole file, restarting from byte 0", job.where)
    with _local(job.part, job.where):
        job.part.write_bytes(b"")
        # the part's identity: a resume continues only the file this call began
        write_json(job.sidecar, {"size": length, "validator": current, "part": _part_id(job)})
    return 0


def _receive(job, resp, offset):
    hashers = _hash_part(job, offset)
    done = offset
    job.progress.begin(offset)
    # read1 hands over whatever arrived; read(n) would hold up to n bytes back and lose them
    # when the connection drops. Raw bytes: ranges count the bytes as sent. Reads raise
    # urllib3's errors, none an OSError, so any OSError here comes from the local file.
    with _local(job.part, job.where), _noting_identity(job), open(job.part, "ab") as fh:
        while True:
            try:
                block = resp.raw.read1(job.chunk, decode_content=False)
            except STREAM_ERRORS as exc:
                raise _Transient(f"{_describe(exc)} at byte {done}") from None
            except urllib3.exceptions.HTTPError as exc:
                raise HumanprepError(job.where, _describe(exc)) from None
            if not block:
                break
            fh.write(block)
            for h in hashers.values():
                h.update(block)
            done += len(block)
            job.hashed = (done, hashers)
            job.fetched += len(block)
            job.progress.update(done)
        fh.flush()
        os.fsync(fh.fileno())
    if job.size is not None and done < job.size:
        raise _Transient(f"connection closed at byte {done} of {job.size}")
    return hashers


def _finish(job, hashers):
    """Rename the part into place if it verifies; otherwise keep it as `.corrupt` and fail."""
    digests = {name: h.hexdigest() for name, h in hashers.items()}
    with _local(job.dest, job.where):
        digests["size"] = job.part.stat().st_size
        problem = _mismatch(digests, job.size, job.expect)
        if problem:
            os.replace(job.part, _corrupt(job.dest))
        else:
            os.replace(job.part, job.dest)
        job.sidecar.unlink(missing_ok=True)
    if problem:
        raise HumanprepError(job.where, f"{problem} (kept as {_corrupt(job.dest).name})")
    return digests


def _check_existing(dest, size, expect, where):
    """Digests of `dest` if it verifies; otherwise move it aside to `.corrupt` and return None."""
    with _local(dest, where):
        digests = size_and_digests(dest)
    problem = _mismatch(digests, size, expect)
    if not problem:
        return digests
    log.warning("%s: existing %s is wrong (%s), moved to %s", where, dest, problem, _corrupt(dest))
    with _local(dest, where):
        os.replace(dest, _corrupt(dest))
    return None


def _mismatch(digests, size, expect):
    if size is not None and digests["size"] != size:
        return f"size mismatch: expected {size}, got {digests['size']}"
    for name, want in expect.items():
        if digests[name] != want:
            return f"{name} mismatch: expected {want}, got {digests[name]}"
    return None


def _hash_part(job, offset):
    """Hashers fed with the first `offset` bytes of the part.

    A retry within this call continues the hashers it left (re-reading 60 GB per retry would
    cost a minute); a part left by an earlier call is re-hashed from disk.
    """
    done, kept = job.hashed
    if kept is not None and done == offset:
        return kept
    hashers = {name: hashlib.new(name) for name in HASHES}
    if not offset:
        return hashers
    with _local(job.part, job.where), open(job.part, "rb") as fh:
        left = offset
        while left and (block := fh.read(min(left, 1 << 20))):
            left -= len(block)
            for h in hashers.values():
                h.update(block)
    return hashers


def _part_id(job, fields=("dev", "inode")):
    found = file_identity(job.part)
    return {f: found[f] for f in fields}


@contextlib.contextmanager
def _noting_identity(job):
    """After the part stops growing (done, dropped or failed), note its whole identity, so a
    later resume can tell it was not touched since."""
    try:
        yield
    finally:
        with contextlib.suppress(OSError, ValueError):
            meta = json.loads(job.sidecar.read_text())
            meta["part"] = _part_id(job, IDENTITY_FIELDS)
            write_json(job.sidecar, meta)


def _part_changed(job, meta):
    """Whether the part is not the file the sidecar describes (swapped, or written since)."""
    noted = meta.get("part")
    if not isinstance(noted, dict):
        return True  # a sidecar of an older version, or not ours: do not trust the part
    now = file_identity(job.part)
    return any(now[f] != v for f, v in noted.items() if f in now)


def _resume_point(job):
    """(bytes to keep, validator) from the part and its sidecar; (0, None) to start afresh."""
    with _local(job.part, job.where):
        if not job.part.exists():
            return 0, None
        try:
            meta = json.loads(job.sidecar.read_text())
        except (OSError, ValueError):
            meta = None  # a part we did not start, or cannot tell from where: do not trust it
        have = job.part.stat().st_size
        known = None if meta is None else meta.get("size")
        sizes = {s for s in (job.size, known) if s is not None}
        if meta is None or len(sizes) > 1 or any(have > s for s in sizes):
            _discard(job)
            return 0, None
        if _part_changed(job, meta):
            log.warning("%s: %s changed since it was written; starting again", job.where, job.part)
            _discard(job)
            return 0, None
    return have, meta.get("validator")


def _restart(job, why):
    log.info("%s: %s; restarting from byte 0", job.where, why)
    with _local(job.part, job.where):
        _discard(job)
    raise _Restart(why)


def _discard(job):
    job.hashed = (0, None)
    job.part.unlink(missing_ok=True)
    job.sidecar.unlink(missing_ok=True)


def _corrupt(dest):
    return dest.with_name(dest.name + ".corrupt")


def _validator(headers):
    """A strong ETag (weak ones are not allowed in If-Range), else Last-Modified, else None."""
    tag = headers.get("ETag")
    if tag and not tag.startswith("W/"):
        return tag
    return headers.get("Last-Modified")


def _content_range(value):
    """(first, last, total) from `bytes first-last/total` or `bytes */total`; None if absent."""
    if not value or not value.startswith("bytes "):
        return None, None, None
    span, _, total = value[len("bytes ") :].partition("/")
    first, _, last = span.partition("-")
    return _int(first), _int(last), _int(total)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _describe(exc):
    """The failure's kind only: requests' messages repeat the URL, query tokens included."""
    return type(exc).__name__


@contextlib.contextmanager
def _local(path, where):
    """Turn a local filesystem failure into one line naming the path; never retried."""
    try:
        yield
    except OSError as exc:  # explained as every stage explains it (humanprep.oserrors)
        raise HumanprepError(where, describe(exc, exc.filename or path)) from None


def _human(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


class _Progress:
    """Logs bytes done/total, rate and ETA at most every `interval` seconds."""

    def __init__(self, where, total, clock, interval):
        self.where, self.total, self.clock, self.interval = where, total, clock, interval
        self.t0 = self.last = clock()
        self.base = 0

    def begin(self, offset):
        self.t0 = self.last = self.clock()
        self.base = offset

    def update(self, done):
        now = self.clock()
        if now - self.last < self.interval:
            return
        self.last = now
        rate = (done - self.base) / (now - self.t0) if now > self.t0 else 0.0
        if self.total:
            eta = f"{(self.total - done) / rate:.0f} s" if rate else "?"
            log.info(
                "%s: %s of %s (%.1f%%), %s/s, ETA %s",
                self.where,
                _human(done),
                _human(self.total),
                100.0 * done / self.total,
                _human(rate),
                eta,
            )
        else:
            log.info("%s: %s, %s/s", self.where, _human(done), _human(rate))
