"""Terms gate: no acceptance or a stale one stops the dataset with instructions."""

import hashlib
from pathlib import Path

import jsonschema
import pytest
import yaml

from humanprep import cli
from humanprep.acquire.gate import acceptance_snippet, check_acceptance, terms_digest
from humanprep.datasets import DATASETS
from humanprep.errors import HumanprepError

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def terms(tmp_path):
    path = tmp_path / "shhq.md"
    path.write_text("# Terms\n\nResearch only.\n")
    return path


def accepted(terms, **over):
    return {
        "accepted_by": "Ada <ada@lab.org>",
        "accepted_on": "2026-01-02",
        "terms_sha256": terms_digest(terms),
        **over,
    }


def test_digest_is_sha256_of_bytes(terms):
    assert terms_digest(terms) == hashlib.sha256(terms.read_bytes()).hexdigest()


def test_accepted_record(terms):
    record = check_acceptance("shhq", accepted(terms), terms)
    assert record == {
        "dataset": "shhq",
        "accepted_by": "Ada <ada@lab.org>",
        "accepted_on": "2026-01-02",
        "terms_file": "terms/shhq.md",
        "terms_sha256": terms_digest(terms),
    }


@pytest.mark.parametrize("acceptance", [None, {}])
def test_missing_acceptance_says_how(terms, acceptance):
    with pytest.raises(HumanprepError) as err:
        check_acceptance("shhq", acceptance, terms)
    message = str(err.value)
    assert "terms/shhq.md" in message
    assert 'humanprep accept shhq --by "Name <email>"' in message
    assert "agreements:" in message and "\n" not in message


def test_stale_acceptance(terms):
    acceptance = accepted(terms)
    terms.write_text("# Terms\n\nResearch only. New clause.\n")
    with pytest.raises(HumanprepError, match="changed since .* on 2026-01-02") as err:
        check_acceptance("shhq", acceptance, terms)
    assert "accept again" in str(err.value)


def test_incomplete_acceptance(terms):
    with pytest.raises(HumanprepError, match="lacks terms_sha256"):
        check_acceptance("shhq", {"accepted_by": "Ada", "accepted_on": "2026-01-02"}, terms)


def test_snippet_pastes_into_a_valid_config(terms):
    snippet = acceptance_snippet("shhq", 'Ada "A." Lovelace <ada@lab.org>', terms, "2026-03-04")
    config = yaml.safe_load("agreements:\n" + snippet + "\n")
    acceptance = config["agreements"]["shhq"]
    schema = yaml.safe_load((REPO / "config" / "schema.yaml").read_text())
    jsonschema.validate(acceptance, schema["$defs"]["acceptance"])
    assert acceptance["accepted_on"] == "2026-03-04"
    assert check_acceptance("shhq", acceptance, terms)["accepted_by"].startswith('Ada "A."')


@pytest.mark.parametrize("by,today", [("", "2026-01-01"), ("Ada", "01/02/2026")])
def test_snippet_rejects_bad_input(terms, by, today):
    with pytest.raises(HumanprepError):
        acceptance_snippet("shhq", by, terms, today)


def test_cli_accept(capsys):
    assert cli.main(["accept", "fdh", "--by", "Ada <ada@lab.org>", "--today", "2026-01-02"]) == 0
    out = capsys.readouterr().out
    assert "terms/fdh.md" in out and "agreements:" in out
    assert terms_digest(REPO / "terms" / "fdh.md") in out


@pytest.mark.parametrize("dataset", DATASETS)
def test_demo_config_accepts_the_shipped_terms(dataset):
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    terms = REPO / "terms" / f"{dataset}.md"
    check_acceptance(dataset, config["agreements"][dataset], terms)
