"""The bridge between a Snakemake `script:` and the package's plain functions.

Every entry point in `scripts/` calls `run(snakemake, main)`: logging goes to the rule's
log file, a `HumanprepError` becomes one clear line (log and stderr) and exit status 1.
"""

import logging
import sys

from humanprep import progress
from humanprep.errors import HumanprepError

LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"


def setup_logging(log_path=None):
    handlers = [logging.StreamHandler(sys.stderr)]
    if log_path:
        handlers.append(logging.FileHandler(log_path, mode="w", encoding="utf-8"))
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, handlers=handlers, force=True)


def run(smk, main):
    """Run `main(smk)` with the rule's log; turn known failures into one line."""
    log_path = smk.log[0] if len(smk.log) else None
    setup_logging(log_path)
    progress.configure(smk.config.get("progress_interval"))
    if "cv2" in sys.modules:  # OpenCV's own pool would oversubscribe the job's cores
        sys.modules["cv2"].setNumThreads(max(1, int(getattr(smk, "threads", 1) or 1)))
    try:
        main(smk)
    except HumanprepError as err:
        logging.getLogger("humanprep").error("%s", err)
        sys.exit(1)
