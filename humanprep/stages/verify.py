"""Hash one raw file against its registry entry."""

import logging
from pathlib import Path

from humanprep.acquire.registry import load_registry, verify_file
from humanprep.errors import HumanprepError
from humanprep.io import write_json

log = logging.getLogger(__name__)


def main(smk):
    path = Path(smk.input.file)
    registry = load_registry(smk.input.registry)
    entry = next((e for e in registry if e.file == path.name), None)
    if entry is None:
        raise HumanprepError(path, f"not listed in {smk.input.registry}; register it first")
    result = verify_file(path, entry)
    log.info("%s: %d bytes, sha256 %s: ok", path.name, result["size"], result["sha256"])
    write_json(smk.output[0], result)
