"""Progress lines: at most one per interval, with counts, rate and time left."""

import logging

from humanprep.progress import Progress


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_lines_at_most_every_interval(caplog):
    clock = Clock()
    p = Progress("job", "items", total=100, total_bytes=1000, interval=10, clock=clock)
    with caplog.at_level(logging.INFO, logger="humanprep.progress"):
        for _ in range(50):
            clock.now += 1
            p.add(1, 10)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 5  # at 10, 20, 30, 40, 50 s
    # 10 s: 10 items and 100 bytes done, 1 item/s and 10 B/s: 900 bytes left take 90 s
    assert lines[0] == "job: 10 of 100 items (1.0/s), 0.0 MB of 0.0 MB (0.0 MB/s), ETA 90 s"


def test_bytes_only_line():
    clock = Clock()
    p = Progress("hash", None, total_bytes=4e6, interval=1, clock=clock)
    clock.now = 2.0
    p.bytes = 1e6
    assert p.line() == "hash: 1.0 MB of 4.0 MB (0.5 MB/s), ETA 6 s"
