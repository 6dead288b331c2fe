"""Terms gate: a dataset runs only if the user accepted the exact terms text the repo ships.

The acceptance (in the config under `agreements:`) stores the sha256 of `terms/<dataset>.md`;
when the text changes, the acceptance is stale and the dataset stops until accepted again. It is
also bound to the registry it was given for (`registry_sha256`), so an acceptance copied from
the demo config opens the demo's archives only, never real ones.
"""

import hmac
import json
import re
import shlex
from pathlib import Path

from humanprep.errors import HumanprepError
from humanprep.io import sha256_file

_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
FIELDS = ("accepted_by", "accepted_on", "terms_sha256", "registry_sha256")


def check_date(value):
    """`value` if it is a real calendar date written YYYY-MM-DD, else ValueError."""
    import datetime

    value = str(value)
    try:
        ok = bool(_DATE.match(value)) and datetime.date.fromisoformat(value).isoformat() == value
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"{value!r} is not a date YYYY-MM-DD (e.g. 2026-03-04)")
    return value


def terms_file(dataset):
    """The terms file as users see it, relative to the repository."""
    return f"terms/{dataset}.md"


def terms_digest(path):
    """sha256 (hex) of the terms file's bytes."""
    try:
        return sha256_file(path)
    except OSError as err:
        raise HumanprepError(path, f"cannot read terms: {err.strerror}") from None


def _how_to_accept(dataset, registry_dir=None):
    """The fix-it line; `registry_dir` when the run uses another registry than `humanprep
    accept`'s default (followed without it, the acceptance would be refused again)."""
    option = f" --registry-dir {shlex.quote(str(registry_dir))}" if registry_dir else ""
    return (
        f'read {terms_file(dataset)}, run `humanprep accept {dataset} --by "Name <email>"'
        f"{option}` and paste what it prints under `agreements:` in your config"
    )


def _same_digest(given, actual):
    """Full-length comparison: an empty, truncated or prefix digest never matches."""
    given = str(given)
    return bool(_SHA256.match(given)) and hmac.compare_digest(given, actual)


def check_acceptance(dataset, acceptance, terms_path, registry_sha256, registry_dir=None):
    """The acceptance record of `dataset`, or a one-line error saying what to do.

    `registry_sha256` is the digest of the registry this run verifies the archives against
    (registry.registry_digest): the acceptance must have been given for that registry, which
    lies in `registry_dir` when that is not the shipped registry/upstream.
    """
    where = terms_file(dataset)
    how = _how_to_accept(dataset, registry_dir)
    if not acceptance:
        raise HumanprepError(where, f"terms of {dataset} not accepted: {how}")
    missing = [f for f in FIELDS if not acceptance.get(f)]
    if missing:
        raise HumanprepError(
            where,
            f"acceptance of {dataset} lacks {', '.join(missing)}: {how}",
        )
    try:
        check_date(acceptance["accepted_on"])
    except ValueError as err:
        raise HumanprepError(where, f"acceptance of {dataset}: accepted_on {err}") from None
    digest = terms_digest(terms_path)
    if not _same_digest(acceptance["terms_sha256"], digest):
        raise HumanprepError(
            where,
            f"the terms of {dataset} accepted by {acceptance['accepted_by']} on "
            f"{acceptance['accepted_on']} are not this text (sha256 {digest}); re-read them and "
            f"accept again: {how}",
        )
    if not _same_digest(acceptance["registry_sha256"], registry_sha256):
        raise HumanprepError(
            where,
            f"the acceptance of {dataset} by {acceptance['accepted_by']} was given for other "
            f"archives (another registry), not the ones this run uses (registry sha256 "
            f"{registry_sha256}); accept for these: {how}",
        )
    return {
        "dataset": dataset,
        "accepted_by": acceptance["accepted_by"],
        "accepted_on": str(acceptance["accepted_on"]),
        "terms_file": where,
        "terms_sha256": digest,
        "registry_sha256": registry_sha256,
    }


def acceptance_snippet(dataset, by, terms_path, today, registry_sha256):
    """YAML lines to paste under `agreements:` (indented as in config/config.yaml)."""
    by = str(by).strip()
    if len(by) < 3 or "\n" in by:
        raise HumanprepError(
            dataset, f'--by must name who accepts, e.g. "Name <email>"; got {by!r}'
        )
    try:
        today = check_date(today)
    except ValueError as err:
        raise HumanprepError(dataset, f"--today: {err}") from None
    digest = terms_digest(Path(terms_path))
    # JSON strings are valid YAML double-quoted scalars.
    quote = lambda s: json.dumps(s, ensure_ascii=False)  # noqa: E731
    return (
        f"  {dataset}:\n"
        f"    accepted_by: {quote(by)}\n"
        f"    accepted_on: {quote(today)}\n"
        f"    terms_sha256: {digest}\n"
        f"    registry_sha256: {registry_sha256}"
    )
