"""The report's release page (counts, selection, changes and how to verify) and its first
screen (the release's headline: counts, drops and why, a strip of pictures)."""

import logging
from pathlib import Path

from humanprep.io import read_json, write_text
from humanprep.report.headline import headline_html
from humanprep.report.release_page import release_html

log = logging.getLogger(__name__)


def main(smk):
    release = read_json(smk.input.receipt)["release"]
    write_text(smk.output.page, release_html(release))
    summaries = {Path(p).parent.name: read_json(p) for p in smk.input.summaries}
    write_text(smk.output.headline, headline_html(release, summaries, smk.params.enabled))
    log.info("release page and report headline for %s", release)
