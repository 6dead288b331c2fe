"""The report's release page: counts, selection, changes and how to verify."""

import logging

from humanprep.io import read_json, write_text
from humanprep.report.release_page import release_html

log = logging.getLogger(__name__)


def main(smk):
    release = read_json(smk.input.receipt)["release"]
    write_text(smk.output[0], release_html(release))
    log.info("release page for %s", release)
