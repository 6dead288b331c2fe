"""The workflow's start and end messages (humanprep.preflight), and dates the gate takes."""

import os
import time

import pytest

from humanprep import preflight, settings
from humanprep.acquire.gate import check_acceptance
from humanprep.acquire.registry import Entry
from humanprep.errors import HumanprepError


def entry(items):
    return Entry("HuGe100K.tar", None, None, "", items, "tar")


def test_nothing_registered_names_the_command():
    line = preflight.nothing_registered("huge100k", [], "reg/huge100k.tsv", "loc/h.tsv", "raw")
    assert line == (
        "huge100k: nothing to read: no file is registered in reg/huge100k.tsv or loc/h.tsv; "
        "record your archives with `humanprep register huge100k raw/huge100k/<archive>` (it "
        "counts their items), or set datasets: {huge100k: {enabled: false}} in your config"
    )
    zero = preflight.nothing_registered("huge100k", [entry(0)], "r.tsv", "", "raw")
    assert "the registered files hold 0 items in r.tsv;" in zero
    assert preflight.nothing_registered("huge100k", [entry(0), entry(5)], "r", "", "raw") is None


def test_missing_passwords_only_without_a_file():
    needed = [("shhq", "A"), ("deepfashion2", "B")]
    assert preflight.missing_passwords(needed, "", {"A": "x"}) == [("deepfashion2", "B")]
    assert preflight.missing_passwords(needed, "/p.yaml", {}) == []
    message = preflight.missing_password_message(needed)
    assert "export A and export B" in message and "`shhq: <password>`" in message
    assert "passwords_file:" in message and "\n" not in message


def test_closing_message_names_the_release_only_when_built_in_this_run(tmp_path):
    receipt = tmp_path / "release.json"
    started = time.time()
    built = "humanprep: release in releases/x-1/, results in results/"
    none = "humanprep: no release built in this run; results in results/"
    assert preflight.closing_message(receipt, "releases/x-1", "results", started) == none
    receipt.write_text("{}")
    os.utime(receipt, (started - 60, started - 60))  # an earlier run's
    assert preflight.closing_message(receipt, "releases/x-1", "results", started) == none
    os.utime(receipt, (started + 1, started + 1))
    assert preflight.closing_message(receipt, "releases/x-1", "results", started) == built


def test_the_schema_refuses_a_date_that_is_none():
    import jsonschema

    pattern = settings.schema()["$defs"]["acceptance"]["properties"]["accepted_on"]["pattern"]
    validator = jsonschema.Draft202012Validator({"type": "string", "pattern": pattern})
    assert validator.is_valid("2026-12-31") and validator.is_valid("2026-02-28")
    for bad in ("2026-13-45", "2026-00-10", "2026-01-32", "2026-1-02"):
        assert not validator.is_valid(bad), bad


def test_the_gate_refuses_a_date_that_is_none(tmp_path):
    terms = tmp_path / "t.md"
    terms.write_text("terms\n")
    acceptance = {
        "accepted_by": "Ada",
        "accepted_on": "2026-02-30",
        "terms_sha256": "0" * 64,
        "registry_sha256": "0" * 64,
    }
    with pytest.raises(HumanprepError, match="accepted_on '2026-02-30' is not a date"):
        check_acceptance("shhq", acceptance, terms, "0" * 64)
