"""Terms gate: a dataset runs only if the user accepted the exact terms text the repo ships.

The acceptance (in the config under `agreements:`) stores the sha256 of `terms/<dataset>.md`;
when the text changes, the acceptance is stale and the dataset stops until accepted again.
"""

import json
import re
from pathlib import Path

from humanprep.errors import HumanprepError
from humanprep.io import sha256_file

_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
FIELDS = ("accepted_by", "accepted_on", "terms_sha256")


def terms_file(dataset):
    """The terms file as users see it, relative to the repository."""
    return f"terms/{dataset}.md"


def terms_digest(path):
    """sha256 (hex) of the terms file's bytes."""
    try:
        return sha256_file(path)
    except OSError as err:
        raise HumanprepError(path, f"cannot read terms: {err.strerror}") from None


def _how_to_accept(dataset):
    return (
        f'read {terms_file(dataset)}, run `humanprep accept {dataset} --by "Name <email>"` '
        "and paste what it prints under `agreements:` in your config"
    )


def check_acceptance(dataset, acceptance, terms_path):
    """The acceptance record of `dataset`, or a one-line error saying what to do."""
    where = terms_file(dataset)
    if not acceptance:
        raise HumanprepError(where, f"terms of {dataset} not accepted: {_how_to_accept(dataset)}")
    missing = [f for f in FIELDS if not acceptance.get(f)]
    if missing:
        raise HumanprepError(
            where,
            f"acceptance of {dataset} lacks {', '.join(missing)}: {_how_to_accept(dataset)}",
        )
    digest = terms_digest(terms_path)
    if acceptance["terms_sha256"] != digest:
        raise HumanprepError(
            where,
            f"the terms of {dataset} changed since {acceptance['accepted_by']} accepted them on "
            f"{acceptance['accepted_on']}; re-read them and accept again: "
            f"{_how_to_accept(dataset)}",
        )
    return {
        "dataset": dataset,
        "accepted_by": acceptance["accepted_by"],
        "accepted_on": str(acceptance["accepted_on"]),
        "terms_file": where,
        "terms_sha256": digest,
    }


def acceptance_snippet(dataset, by, terms_path, today):
    """YAML lines to paste under `agreements:` (indented as in config/config.yaml)."""
    by = str(by).strip()
    if len(by) < 3 or "\n" in by:
        raise HumanprepError(
            dataset, f'--by must name who accepts, e.g. "Name <email>"; got {by!r}'
        )
    today = str(today)
    if not _DATE.match(today):
        raise HumanprepError(dataset, f"--today must be YYYY-MM-DD, got {today!r}")
    digest = terms_digest(Path(terms_path))
    # JSON strings are valid YAML double-quoted scalars.
    quote = lambda s: json.dumps(s, ensure_ascii=False)  # noqa: E731
    return (
        f"  {dataset}:\n"
        f"    accepted_by: {quote(by)}\n"
        f"    accepted_on: {quote(today)}\n"
        f"    terms_sha256: {digest}"
    )
