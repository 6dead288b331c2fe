"""Put this checkout's package first on sys.path, so every script runs the code the
workflow declared as its input (also inside per-rule conda envs, where it is not installed)."""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
