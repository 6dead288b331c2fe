"""The bridge between a Snakemake `script:` and the package's plain functions.

Every entry point in `scripts/` calls `run(snakemake, main)`: logging goes to the rule's
log file, a `HumanprepError` becomes one clear line (log and stderr) and exit status 1.
"""

import logging
import sys

from humanprep import failures
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
    try:
        # A retry of a deterministic failure fails at once, with the same line.
        failures.replay(log_path)
        main(smk)
    except HumanprepError as err:
        logging.getLogger("humanprep").error("%s", err)
        failures.record(log_path, err)
        sys.exit(1)
