"""A real threaded HTTP server on 127.0.0.1 serving in-memory files, with fault injection.

It speaks enough HTTP/1.1 for download tests: single byte ranges (206 + Content-Range, 416),
`If-Range` against a strong ETag, Content-Length, HEAD. Faults are set per path with `Fault`.
Every response says `Connection: close`, so no handler thread waits on a kept-alive socket after
a test; `close()` stops the server, wakes paused handlers and joins their threads.
"""

import hashlib
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

JOIN_TIMEOUT = 5.0  # seconds close() waits for each handler thread


@dataclass
class Fault:
    """What to do wrong for one path. Counts refer to GET requests of that path."""

    status: int | None = None  # always answer this status (404, 403, ...)
    unavailable: int = 0  # the first K GETs answer 503
    retry_after: str | None = None  # Retry-After header sent with those 503s
    drop_after: int | None = None  # close the connection after this many body bytes...
    drop_times: int = 1  # ...in each of the first K GETs that send a body
    ignore_range: bool = False  # always 200 with the full body
    ignore_if_range: bool = False  # honour Range even when If-Range no longer matches
    wrong_content: bool = False  # same length, different bytes, same ETag
    change_after: int | None = None  # after this many GETs serve `changed` (new ETag)
    changed: bytes = b""
    trickle: tuple[int, float] | None = None  # (bytes, seconds): send that much, then pause
    trickle_times: int = 1  # in each of the first K GETs that send a body


def etag(data):
    return '"' + hashlib.sha256(data).hexdigest()[:16] + '"'


def parse_range(header, length):
    """(start, end) inclusive for one `bytes=` range, "unsatisfiable", or None to send it all."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, _, last = header[len("bytes=") :].strip().partition("-")
    try:
        if not first:  # suffix range: the last N bytes
            n = int(last)
            return (max(0, length - n), length - 1) if n > 0 and length else "unsatisfiable"
        start = int(first)
        end = int(last) if last else length - 1
    except ValueError:
        return None
    if start >= length:
        return "unsatisfiable"
    return (start, min(end, length - 1)) if end >= start else None


class FileServer:
    """Serve `{path: bytes}` on an ephemeral 127.0.0.1 port; use as a context manager.

    `requests[path]` counts requests (any method), `bytes_served[path]` the body bytes written
    to sockets, and `log` holds one dict per request (method, path, range, if_range, status).
    """

    def __init__(self, files, faults=None):
        self.files = dict(files)
        self.faults = dict(faults or {})
        self.requests = Counter()
        self.gets = Counter()
        self.bytes_served = Counter()
        self.log = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.handlers = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        self.httpd.daemon_threads = True
        # A short poll keeps shutdown() quick: it waits for serve_forever's next poll.
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self):
        return self.httpd.server_address[1]

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def content(self, path, count):
        """The bytes the path serves now, and how many GETs it has seen (this one included)."""
        with self.lock:
            self.gets[path] += count
            n = self.gets[path]
        fault = self.faults.get(path, Fault())
        if fault.change_after is not None and n > fault.change_after:
            return fault.changed, n
        return self.files[path], n

    def record(self, **entry):
        with self.lock:
            self.requests[entry["path"]] += 1
            self.log.append(entry)

    def served(self, path, n):
        with self.lock:
            self.bytes_served[path] += n

    def start(self):
        self.thread.start()
        return self

    def close(self):
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(JOIN_TIMEOUT)
        for t in list(self.handlers):
            t.join(JOIN_TIMEOUT)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()


def _handler_class(server):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 5  # a stuck client cannot hold a handler thread longer than this

        def log_message(self, format, *args):  # keep test output quiet
            pass

        def do_HEAD(self):
            self.respond(body=False)

        def do_GET(self):
            self.respond(body=True)

        def respond(self, body):
            server.handlers.append(threading.current_thread())
            path = urlsplit(self.path).path  # a query (e.g. a token) does not name the file
            entry = {
                "method": self.command,
                "path": path,
                "range": self.headers.get("Range"),
                "if_range": self.headers.get("If-Range"),
                "query": urlsplit(self.path).query,
                "authorization": self.headers.get("Authorization"),
            }
            if path not in server.files:
                return self.status_only(entry, 404)
            data, n = server.content(path, count=int(body))
            fault = server.faults.get(path, Fault())
            if fault.status is not None:
                return self.status_only(entry, fault.status)
            if body and n <= fault.unavailable:
                extra = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                return self.status_only(entry, 503, extra)
            tag = etag(data)
            if fault.wrong_content:
                data = bytes(b ^ 0xFF for b in data)
            self.send_body(entry, data, tag, fault, n, body)

        def status_only(self, entry, code, extra=None):
            server.record(status=code, **entry)  # before the client can see the answer
            self.send_response(code)
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()

        def send_body(self, entry, data, tag, fault, n, body):
            wanted = None if fault.ignore_range else parse_range(entry["range"], len(data))
            if_range = entry["if_range"]
            if wanted and if_range is not None and if_range != tag and not fault.ignore_if_range:
                wanted = None  # the client's copy is stale: send the whole new body
            if wanted == "unsatisfiable":
                return self.status_only(entry, 416, {"Content-Range": f"bytes */{len(data)}"})
            start, end = wanted or (0, len(data) - 1)
            code = 206 if wanted else 200
            server.record(status=code, **entry)
            self.send_response(code)
            self.send_header("ETag", tag)
            self.send_header("Accept-Ranges", "none" if fault.ignore_range else "bytes")
            self.send_header("Content-Length", str(end - start + 1))
            if wanted:
                self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
            self.send_header("Connection", "close")
            self.end_headers()
            if body:
                self.write_body(entry["path"], data[start : end + 1], fault, n)

        def write_body(self, path, payload, fault, n):
            limit = len(payload)
            if fault.drop_after is not None and n <= fault.drop_times:
                limit = min(limit, fault.drop_after)
            step, pause = (
                fault.trickle if fault.trickle and n <= fault.trickle_times else (limit, 0)
            )
            pos = 0
            try:
                while pos < limit and not server.stopping.is_set():
                    piece = payload[pos : min(limit, pos + max(1, step))]
                    self.wfile.write(piece)
                    self.wfile.flush()
                    server.served(path, len(piece))
                    pos += len(piece)
                    if pause and pos < limit:
                        server.stopping.wait(pause)
            except OSError:  # the client went away (timeout, reset): nothing more to send
                pass
            self.close_connection = True

    return Handler
