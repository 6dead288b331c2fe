"""Progress lines for long steps, into the rule's log at most every `interval` seconds.

Each line says what is done (items and/or bytes, of the total when known), the rate and,
with a total, the time left. The interval comes from the config's `progress_interval`
(set once per job by humanprep.runner).
"""

import logging
import time

log = logging.getLogger("humanprep.progress")
_INTERVAL = [10.0]


def configure(interval):
    if interval:
        _INTERVAL[0] = float(interval)


def _mb(n):
    return f"{n / 1e6:.1f} MB"


class Progress:
    """Counts items and bytes; `add` logs a line when `interval` seconds have passed."""

    def __init__(self, where, unit="items", total=None, total_bytes=None, interval=None,
                 clock=time.monotonic):  # fmt: skip
        self.where, self.unit, self.total, self.total_bytes = where, unit, total, total_bytes
        self.interval = _INTERVAL[0] if interval is None else interval
        self.clock = clock
        self.t0 = self.last = clock()
        self.items = self.bytes = 0

    def add(self, items=1, nbytes=0):
        self.items += items
        self.bytes += nbytes
        now = self.clock()
        if now - self.last >= self.interval:
            self.last = now
            log.info("%s", self.line(now))

    def line(self, now=None):
        elapsed = max((now or self.clock()) - self.t0, 1e-9)
        parts = []
        if self.unit:
            done = f"{self.items} of {self.total}" if self.total else f"{self.items}"
            parts.append(f"{done} {self.unit} ({self.items / elapsed:.1f}/s)")
        if self.bytes or self.total_bytes:
            done = (
                f"{_mb(self.bytes)} of {_mb(self.total_bytes)}"
                if self.total_bytes
                else _mb(self.bytes)
            )
            parts.append(f"{done} ({self.bytes / elapsed / 1e6:.1f} MB/s)")
        eta = None
        if self.total_bytes and self.bytes:
            eta = (self.total_bytes - self.bytes) / (self.bytes / elapsed)
        elif self.total and self.items:
            eta = (self.total - self.items) / (self.items / elapsed)
        if eta is not None:
            parts.append(f"ETA {eta:.0f} s")
        return f"{self.where}: " + ", ".join(parts)
