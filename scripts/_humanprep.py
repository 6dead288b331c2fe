"""Put this checkout's package first on sys.path, so every script runs the code the
workflow declared as its input (also inside per-rule conda envs, where it is not installed)."""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

# Ctrl-C reaches every job of the process group, maybe still importing: stop quietly, with
# status 130 and no KeyboardInterrupt traceback; SystemExit still runs cleanups (temporary
# folders).
import signal  # noqa: E402
import threading  # noqa: E402


def _interrupted(signum, frame):
    # a reader thread whose file the main thread closes on the way out fails too: quietly
    threading.excepthook = lambda args: None
    raise SystemExit(130)


if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
    signal.signal(signal.SIGINT, _interrupted)
