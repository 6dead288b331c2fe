"""The bridge between a Snakemake `script:` and the package's plain functions.

Every entry point in `scripts/` calls `run(snakemake, main)`: logging goes to the rule's
log file and to stderr. A failure is one line on stderr and in the log: a `HumanprepError`
as its own message, an `OSError` (full disk, quota, no permission, read-only file system)
explained (humanprep.oserrors), anything else as a bug to report, naming the log file,
which also holds its traceback (only there: Snakemake prints a failed job's log, and a
traceback under an explained line buried it). Exit status 1; 130 on Ctrl-C, quietly.
"""

import contextlib
import logging
import sys

from humanprep import failures, progress
from humanprep.errors import HumanprepError
from humanprep.oserrors import KNOWN, describe

LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"


class OneLine(logging.Formatter):
    """Formats a record without its traceback (the log file keeps it)."""

    def format(self, record):
        saved = record.exc_info, record.exc_text
        record.exc_info = record.exc_text = None
        try:
            return super().format(record)
        finally:
            record.exc_info, record.exc_text = saved


class LogFile(logging.FileHandler):
    """The rule's log file. It may lie on the disk that just filled up (or a read-only one):
    then it says so once, in one line, and keeps quiet (logging's default prints a
    traceback for every record it cannot write)."""

    def __init__(self, path):
        super().__init__(path, mode="w", encoding="utf-8", delay=True)
        self.failed = False

    def emit(self, record):
        if self.failed:
            return
        try:
            super().emit(record)  # opens the file at the first record: may raise here
        except OSError:
            self.handleError(record)

    def handleError(self, record):
        if not self.failed:
            self.failed = True
            err = sys.exc_info()[1]
            line = describe(err, self.baseFilename) if isinstance(err, OSError) else str(err)
            print(f"WARNING humanprep: cannot write the log file: {line}", file=sys.stderr)


def setup_logging(log_path=None):
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setFormatter(OneLine(LOG_FORMAT))
    handlers = [stderr]
    if log_path:
        handlers.append(LogFile(log_path))
    # basicConfig gives LOG_FORMAT to the handlers without a formatter: the log file's,
    # which keeps tracebacks
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, handlers=handlers, force=True)


def user_caused(err):
    """An error whose one line is the whole story: a HumanprepError, or the system refusing
    a write (full disk, quota, permission, read-only file system)."""
    return isinstance(err, HumanprepError) or (isinstance(err, OSError) and err.errno in KNOWN)


def failure_line(err, log_path=None):
    """The one line a failure shows on stderr."""
    if isinstance(err, HumanprepError):
        return str(err)
    if isinstance(err, OSError):
        return describe(err)
    where = f"the traceback is in {log_path}" if log_path else "the traceback is above"
    return f"unexpected {type(err).__name__}: {err} (a bug in humanprep: {where}; please report it)"


def log_peak_memory():
    """The job's peak resident memory and CPU time, exact (the kernel's counts;
    Snakemake's benchmark samples them now and then, and misses short jobs), for
    bench/rehearse.py."""
    import resource

    me, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    logging.getLogger("humanprep").info(
        "peak RSS %.0f MB (largest child %.0f MB), CPU %.2f s",
        own_peak_kib(me.ru_maxrss) / 1024,
        kids.ru_maxrss / 1024,  # KiB on Linux
        cpu,
    )


def own_peak_kib(fallback):
    """This process's peak RSS since it started its program (VmHWM). ru_maxrss keeps the
    peak of the process it was forked from (Linux carries it across exec): a job started
    by Snakemake would show Snakemake's own size."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return fallback


def run(smk, main):
    """Run `main(smk)` with the rule's log; turn every failure into one line on stderr
    and its traceback in the log file."""
    log_path = smk.log[0] if len(smk.log) else None
    setup_logging(log_path)
    progress.configure((getattr(smk, "config", None) or {}).get("progress_interval"))
    if "cv2" in sys.modules:  # OpenCV's own pool would oversubscribe the job's cores
        sys.modules["cv2"].setNumThreads(max(1, int(getattr(smk, "threads", 1) or 1)))
    try:
        # A retry of a deterministic failure fails at once, with the same line.
        failures.replay(log_path)
        main(smk)
        log_peak_memory()
    except KeyboardInterrupt:  # Ctrl-C reaches every job of the process group: no traceback
        logging.getLogger("humanprep").warning("interrupted")
        sys.exit(130)
    except Exception as err:
        # a user-caused failure is the whole story (Snakemake also shows the log when a job
        # fails); anything else keeps its traceback in the log file
        explained = user_caused(err)
        logging.getLogger("humanprep").error(
            "%s", failure_line(err, log_path), exc_info=not explained
        )
        for handler in logging.getLogger().handlers:
            handler.flush()
        if isinstance(err, HumanprepError):  # deterministic: a retry replays the line at once
            with contextlib.suppress(OSError):  # the disk may be the one that is full
                failures.record(log_path, err)
        sys.exit(1)
