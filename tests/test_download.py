"""Resumable downloads against a real HTTP server on 127.0.0.1 with injected faults.

Backoff sleeps are recorded instead of slept; every test bounds time and request counts.
"""

import builtins
import errno
import hashlib
import logging
import random
from datetime import UTC, datetime

import pytest
import requests
from httpserver import Fault, FileServer, etag

from humanprep.acquire import download as dl
from humanprep.errors import HumanprepError

pytestmark = pytest.mark.timeout(30)

SIZE = 100_000
DATA = random.Random(1).randbytes(SIZE)
SHA = hashlib.sha256(DATA).hexdigest()
MD5 = hashlib.md5(DATA).hexdigest()


@pytest.fixture
def session():
    # No proxy from the environment: these requests must stay on 127.0.0.1.
    with requests.Session() as s:
        s.trust_env = False
        yield s


def fetch(server, path, dest, session, delays, **kw):
    kw.setdefault("sha256", SHA)
    kw.setdefault("size", SIZE)
    return dl.download(server.url(path), dest, session=session, sleep=delays.append, **kw)


def test_dropped_connection_resumes_without_resending(tmp_path, session):
    delays = []
    dest = tmp_path / "a.tar"
    with FileServer({"/a": DATA}, {"/a": Fault(drop_after=40_000)}) as srv:
        res = fetch(srv, "/a", dest, session, delays, md5=MD5, backoff=1.0)
    assert dest.read_bytes() == DATA
    assert (res["sha256"], res["md5"], res["size"]) == (SHA, MD5, SIZE)
    assert (res["retries"], res["resumed_from"], res["bytes_fetched"]) == (1, 40_000, SIZE)
    # Every byte crossed the wire once: 40,000 before the drop, 60,000 after.
    assert srv.bytes_served["/a"] == SIZE
    assert srv.requests["/a"] == 2
    second = srv.log[1]
    assert (second["range"], second["if_range"], second["status"]) == (
        "bytes=40000-",
        etag(DATA),
        206,
    )
    assert len(delays) == 1 and 0.0 <= delays[0] <= 1.0  # first retry: jitter within backoff * 2**0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tar"]


def test_server_ignoring_range_restarts_from_zero(tmp_path, session):
    delays = []
    dest = tmp_path / "a.tar"
    fault = Fault(drop_after=40_000, ignore_range=True)
    with FileServer({"/a": DATA}, {"/a": fault}) as srv:
        res = fetch(srv, "/a", dest, session, delays)
    assert dest.read_bytes() == DATA
    assert res["resumed_from"] == 0 and res["retries"] == 1
    assert [e["status"] for e in srv.log] == [200, 200]
    assert srv.log[1]["range"] == "bytes=40000-"  # asked to resume, got the whole file
    assert srv.bytes_served["/a"] == 40_000 + SIZE


def test_503_with_retry_after_seconds_waits_that_long(tmp_path, session):
    delays = []
    with FileServer({"/a": DATA}, {"/a": Fault(unavailable=1, retry_after="2")}) as srv:
        res = fetch(srv, "/a", tmp_path / "a", session, delays)
    assert delays == [2.0]
    assert [e["status"] for e in srv.log] == [503, 200]
    assert res["sha256"] == SHA and res["retries"] == 1


def test_retry_after_http_date_is_capped(tmp_path, session):
    delays = []
    fault = Fault(unavailable=2, retry_after="Fri, 31 Dec 2100 23:59:59 GMT")
    with FileServer({"/a": DATA}, {"/a": fault}) as srv:
        fetch(srv, "/a", tmp_path / "a", session, delays, max_backoff=7.0)
    assert delays == [7.0, 7.0]
    assert srv.requests["/a"] == 3


def test_parse_retry_after_forms():
    now = datetime(2025, 1, 1, tzinfo=UTC)
    assert dl.parse_retry_after("120") == 120.0
    assert dl.parse_retry_after("Wed, 01 Jan 2025 00:01:30 GMT", now) == 90.0
    assert dl.parse_retry_after("Tue, 31 Dec 2024 23:00:00 GMT", now) == 0.0  # in the past
    assert dl.parse_retry_after("soon") is None


def test_backoff_is_capped_exponential_with_full_jitter(tmp_path, session):
    delays = []
    with FileServer({"/a": DATA}, {"/a": Fault(unavailable=4)}) as srv:
        fetch(
            srv,
            "/a",
            tmp_path / "a",
            session,
            delays,
            backoff=1.0,
            max_backoff=3.0,
            rng=random.Random(5),
        )
    caps = [1.0, 2.0, 3.0, 3.0]  # min(3, 1 * 2**n)
    assert len(delays) == 4
    assert all(0.0 <= d <= cap for d, cap in zip(delays, caps, strict=True))
    replay = random.Random(5)
    assert delays == [replay.uniform(0.0, cap) for cap in caps]
    assert srv.requests["/a"] == 5


def test_gives_up_after_retries(tmp_path, session):
    delays = []
    with FileServer({"/a": DATA}, {"/a": Fault(unavailable=100)}) as srv:
        with pytest.raises(HumanprepError, match=r"gave up after 2 retries: HTTP 503"):
            fetch(srv, "/a", tmp_path / "a", session, delays, retries=2)
        assert srv.requests["/a"] == 3
    assert len(delays) == 2


@pytest.mark.parametrize("code", [404, 403, 401, 410])
def test_permanent_errors_fail_at_once(tmp_path, session, code):
    delays = []
    with FileServer({"/a": DATA}, {"/a": Fault(status=code)}) as srv:
        with pytest.raises(HumanprepError) as err:
            fetch(srv, "/a", tmp_path / "a", session, delays, label="FDH")
        assert srv.requests["/a"] == 1
        msg = str(err.value)
        assert msg.startswith(f"FDH {srv.url('/a')}: HTTP {code}")
    assert "\n" not in msg
    assert delays == []
    assert list(tmp_path.iterdir()) == []


def test_wrong_content_is_kept_as_corrupt(tmp_path, session):
    delays = []
    dest = tmp_path / "a.tar"
    wrong = bytes(b ^ 0xFF for b in DATA)
    with FileServer({"/a": DATA}, {"/a": Fault(wrong_content=True)}) as srv:
        with pytest.raises(HumanprepError) as err:
            fetch(srv, "/a", dest, session, delays)
        assert srv.requests["/a"] == 1
    msg = str(err.value)
    assert f"sha256 mismatch: expected {SHA}, got {hashlib.sha256(wrong).hexdigest()}" in msg
    assert not dest.exists()
    assert (tmp_path / "a.tar.corrupt").read_bytes() == wrong
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tar.corrupt"]
    assert delays == []


def test_md5_only(tmp_path, session):
    delays = []
    with FileServer({"/m": DATA}) as srv:
        res = fetch(srv, "/m", tmp_path / "m", session, delays, sha256=None, md5=MD5, size=None)
        assert res["md5"] == MD5 and res["size"] == SIZE
        with pytest.raises(HumanprepError, match=f"md5 mismatch: expected {'0' * 32}, got {MD5}"):
            fetch(srv, "/m", tmp_path / "n", session, delays, sha256=None, md5="0" * 32)
    assert (tmp_path / "n.corrupt").read_bytes() == DATA


def test_existing_good_file_needs_no_request(tmp_path, session):
    dest = tmp_path / "a.tar"
    dest.write_bytes(DATA)
    with FileServer({"/a": DATA}) as srv:
        res = fetch(srv, "/a", dest, session, [], md5=MD5)
        assert sum(srv.requests.values()) == 0
    assert (res["sha256"], res["bytes_fetched"], res["retries"]) == (SHA, 0, 0)


def test_existing_bad_file_is_moved_aside(tmp_path, session):
    dest = tmp_path / "a.tar"
    dest.write_bytes(DATA[:-1] + b"X")
    with FileServer({"/a": DATA}) as srv:
        res = fetch(srv, "/a", dest, session, [])
        assert srv.requests["/a"] == 1
    assert res["sha256"] == SHA and dest.read_bytes() == DATA
    assert (tmp_path / "a.tar.corrupt").read_bytes() == DATA[:-1] + b"X"


def test_stray_part_without_sidecar_is_not_trusted(tmp_path, session):
    dest = tmp_path / "a.tar"
    (tmp_path / "a.tar.part").write_bytes(b"junk from some other tool")
    with FileServer({"/a": DATA}) as srv:
        fetch(srv, "/a", dest, session, [])
        assert srv.log[0]["range"] is None
    assert dest.read_bytes() == DATA


def test_interrupted_batch_resumes_without_refetching(tmp_path, session):
    sizes = {"/1": 50_000, "/2": 120_000, "/3": 70_000}
    files = {p: random.Random(n).randbytes(n) for p, n in sizes.items()}
    faults = {"/2": Fault(drop_after=30_000)}

    def batch(srv):
        return [
            dl.download(
                srv.url(p),
                tmp_path / p.strip("/"),
                size=len(d),
                sha256=hashlib.sha256(d).hexdigest(),
                session=session,
                retries=0,
                sleep=[].append,
            )
            for p, d in files.items()
        ]

    with FileServer(files, faults) as srv:
        with pytest.raises(HumanprepError, match="gave up after 0 retries"):
            batch(srv)
        assert (tmp_path / "1").read_bytes() == files["/1"]
        assert (tmp_path / "2.part").stat().st_size == 30_000
        assert not (tmp_path / "2").exists() and not (tmp_path / "3").exists()
        results = batch(srv)
        assert dict(srv.requests) == {"/1": 1, "/2": 2, "/3": 1}
        assert dict(srv.bytes_served) == sizes  # no completed byte sent twice
    assert [r["resumed_from"] for r in results] == [0, 30_000, 0]
    assert [r["bytes_fetched"] for r in results] == [0, 90_000, 70_000]
    for p, d in files.items():
        assert (tmp_path / p.strip("/")).read_bytes() == d
    assert sorted(x.name for x in tmp_path.iterdir()) == ["1", "2", "3"]


def test_read_only_target_fails_once_without_retry(tmp_path, session, monkeypatch):
    # Tests run as root, where chmod does not stop writes: refuse the part file the way a
    # read-only mount would.
    def refuse(path, mode="r", *args, **kwargs):
        if "a" in mode or "w" in mode:
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return builtins.open(path, mode, *args, **kwargs)

    monkeypatch.setattr(dl, "open", refuse, raising=False)
    delays = []
    dest = tmp_path / "a.tar"
    with FileServer({"/a": DATA}) as srv:
        with pytest.raises(HumanprepError) as err:
            fetch(srv, "/a", dest, session, delays, label="FDH")
        assert srv.requests["/a"] == 1
    msg = str(err.value)
    # explained as every stage explains it (humanprep.oserrors), the transfer named first
    assert msg.startswith("FDH http") and f"read-only file system writing {dest}.part" in msg
    assert msg.endswith("(write the results to a writable file system)") and "\n" not in msg
    assert delays == [] and not dest.exists()


def test_disk_full_fails_once_without_retry(tmp_path, session, monkeypatch):
    # Appends to the part go to /dev/full, where the kernel itself answers ENOSPC.
    def full(path, mode="r", *args, **kwargs):
        target = "/dev/full" if mode == "ab" else path
        return builtins.open(target, mode, *args, **kwargs)

    monkeypatch.setattr(dl, "open", full, raising=False)
    delays = []
    with FileServer({"/a": DATA}) as srv:
        with pytest.raises(HumanprepError, match=r"no space left on device writing .*a\.tar\.part"):
            fetch(srv, "/a", tmp_path / "a.tar", session, delays)
        assert srv.requests["/a"] == 1
    assert delays == [] and not (tmp_path / "a.tar").exists()


NEW = random.Random(2).randbytes(SIZE)


def test_changed_validator_restarts_from_zero(tmp_path, session):
    # The file changes after the first (dropped) request; If-Range makes the server send it whole.
    fault = Fault(drop_after=40_000, change_after=1, changed=NEW)
    sha_new = hashlib.sha256(NEW).hexdigest()
    with FileServer({"/a": DATA}, {"/a": fault}) as srv:
        res = fetch(srv, "/a", tmp_path / "a", session, [], sha256=sha_new)
        assert [(e["status"], e["if_range"]) for e in srv.log] == [(200, None), (200, etag(DATA))]
    assert res["resumed_from"] == 0 and (tmp_path / "a").read_bytes() == NEW


def test_changed_validator_detected_when_server_ignores_if_range(tmp_path, session):
    fault = Fault(drop_after=40_000, change_after=1, changed=NEW, ignore_if_range=True)
    sha_new = hashlib.sha256(NEW).hexdigest()
    with FileServer({"/a": DATA}, {"/a": fault}) as srv:
        res = fetch(srv, "/a", tmp_path / "a", session, [], sha256=sha_new)
        # 206 of the new file onto the old part is refused; the next request takes it whole.
        assert [(e["status"], e["range"]) for e in srv.log] == [
            (200, None),
            (206, "bytes=40000-"),
            (200, None),
        ]
    assert res["retries"] == 1 and (tmp_path / "a").read_bytes() == NEW


def test_read_timeout_is_retried_and_resumed(tmp_path, session):
    fault = Fault(trickle=(20_000, 3.0))  # 20,000 bytes, then a pause longer than the timeout
    with FileServer({"/a": DATA}, {"/a": fault}) as srv:
        res = fetch(srv, "/a", tmp_path / "a", session, [], timeout=(5, 0.5))
        assert srv.log[1]["range"] == "bytes=20000-"
    assert (res["retries"], res["resumed_from"]) == (1, 20_000)
    assert (tmp_path / "a").read_bytes() == DATA


def test_server_size_disagreeing_with_registry_fails_at_once(tmp_path, session):
    with FileServer({"/a": DATA}) as srv:
        with pytest.raises(HumanprepError, match=f"server sends {SIZE} bytes, expected 99"):
            fetch(srv, "/a", tmp_path / "a", session, [], size=99)
        assert srv.requests["/a"] == 1


def test_credentials_and_tokens_never_logged(tmp_path, session, caplog):
    caplog.set_level(logging.INFO, logger=dl.__name__)
    ticks = iter(range(0, 10_000, 10))  # every clock reading 10 s later: progress each block
    with FileServer({"/a": DATA}, {"/a": Fault(drop_after=40_000)}) as srv:
        url = f"http://user:s3cret@127.0.0.1:{srv.port}/a?token=abc123"
        res = dl.download(
            url,
            tmp_path / "a",
            sha256=SHA,
            size=SIZE,
            session=session,
            sleep=[].append,
            clock=lambda: next(ticks),
        )
        with pytest.raises(HumanprepError) as err:
            dl.download(url.replace("/a?", "/missing?"), tmp_path / "b", session=session)
    assert res["url"] == f"http://127.0.0.1:{srv.port}/a"
    text = caplog.text + str(err.value)
    assert "s3cret" not in text and "abc123" not in text and "user" not in text
    assert "ETA" in caplog.text and "retries" in caplog.text


def test_progress_is_rate_limited(tmp_path, session, caplog):
    caplog.set_level(logging.INFO, logger=dl.__name__)
    with FileServer({"/a": DATA}) as srv:
        fetch(srv, "/a", tmp_path / "a", session, [], progress_interval=1e9)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and "done, 100000 bytes" in lines[0]


def test_bearer_token_from_the_environment(monkeypatch):
    from humanprep.stages.download import auth_for

    monkeypatch.setenv("HUMANPREP_HUGE100K_TOKEN", "hf_secret")
    request = auth_for("huge100k")(requests.Request("GET", "http://h/a").prepare())
    assert request.headers["Authorization"] == "Bearer hf_secret"
    assert "hf_secret" not in repr(auth_for("huge100k"))
    assert auth_for("fdh") is None


@pytest.fixture
def netrc(tmp_path, monkeypatch):
    """~/.netrc with a login for 127.0.0.1, read by requests (trust_env) as a user's is."""
    path = tmp_path / "netrc"
    path.write_text("machine 127.0.0.1 login netrcuser password netrcpass\n")
    path.chmod(0o600)
    monkeypatch.setenv("NETRC", str(path))
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.mark.parametrize("token", ["tok123", None])
def test_token_wins_over_netrc_on_every_request(tmp_path, netrc, monkeypatch, token):
    """Before: the token was a session header, and requests put netrc's Basic auth over it:
    the server saw Basic only, and every file failed with HTTP 401. Now the token, when
    set, goes with each request (a resume too); without it netrc still applies."""
    from humanprep.stages.download import auth_for

    if token:
        monkeypatch.setenv("HUMANPREP_FDH_TOKEN", token)
    else:
        monkeypatch.delenv("HUMANPREP_FDH_TOKEN", raising=False)
    basic = "Basic " + __import__("base64").b64encode(b"netrcuser:netrcpass").decode()
    with FileServer({"/a": DATA}, {"/a": Fault(drop_after=40_000)}) as srv:
        with requests.Session() as s:  # trust_env: netrc is read, as in a real run
            dl.download(srv.url("/a"), tmp_path / "a", size=SIZE, sha256=SHA, session=s,
                        auth=auth_for("fdh"), sleep=[].append)  # fmt: skip
        seen = [entry["authorization"] for entry in srv.log]
    assert len(seen) == 2  # the first transfer and its resume
    assert seen == ([f"Bearer {token}"] * 2 if token else [basic] * 2)


@pytest.mark.parametrize(
    "url,public,secret",
    [
        ("https://h.org/a/b.tar", "https://h.org/a/b.tar", False),
        ("https://u:p@h.org/a/b.tar", "https://h.org/a/b.tar", True),
        ("https://h.org:8443/b.tar?token=t", "https://h.org:8443/b.tar", True),
        ("http://h.org/b.tar#frag", "http://h.org/b.tar", True),
    ],
)
def test_split_credentials(url, public, secret):
    from humanprep.acquire.urls import split_credentials

    assert split_credentials(url) == (public, url if secret else None)


def test_join_url_keeps_the_query_after_the_file():
    from humanprep.acquire.urls import join_url

    assert join_url("https://h.org/fdh/?token=t", "a.tar") == "https://h.org/fdh/a.tar?token=t"
    assert join_url("https://u:p@h.org/fdh", "a.tar") == "https://u:p@h.org/fdh/a.tar"
