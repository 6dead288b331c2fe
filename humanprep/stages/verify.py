"""Hash one raw file against its registry entry; record it on first use where upstream
publishes no size or sha256."""

import logging
from pathlib import Path

from humanprep.acquire.registry import record_first_use, registered_entry, verify_file
from humanprep.errors import HumanprepError
from humanprep.io import write_json

log = logging.getLogger(__name__)


def main(smk):
    path = Path(smk.input.file)
    overlay = smk.params.local_registry or None
    entry = registered_entry(smk.input.registry, path, overlay)
    result = verify_file(path, entry)
    if not entry.complete:
        if not overlay:
            raise HumanprepError(
                path, f"{smk.input.registry} has no size or sha256 for it, and no local registry"
            )
        log.warning("%s", record_first_use(overlay, entry, result))
    log.info("%s: %d bytes, sha256 %s: ok", path.name, result["size"], result["sha256"])
    write_json(smk.output[0], result)
