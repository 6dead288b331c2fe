"""Hash one raw file against its registry entry."""

import logging
from pathlib import Path

from humanprep.acquire.registry import registered_entry, verify_file
from humanprep.io import write_json

log = logging.getLogger(__name__)


def main(smk):
    path = Path(smk.input.file)
    entry = registered_entry(smk.input.registry, path)
    result = verify_file(path, entry)
    log.info("%s: %d bytes, sha256 %s: ok", path.name, result["size"], result["sha256"])
    write_json(smk.output[0], result)
