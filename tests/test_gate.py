"""Terms gate: no acceptance, a stale one or one given for other archives stops the dataset
with instructions."""

import hashlib
from pathlib import Path

import jsonschema
import pytest
import yaml

from humanprep import cli
from humanprep.acquire.gate import acceptance_snippet, check_acceptance, terms_digest
from humanprep.acquire.registry import Entry, load_registry, registry_digest
from humanprep.datasets import DATASETS
from humanprep.errors import HumanprepError
from humanprep.settings import schema

REPO = Path(__file__).resolve().parent.parent
# Any 64-hex value stands for "the registry this run verifies against".
REG = hashlib.sha256(b"registry").hexdigest()


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
        "registry_sha256": REG,
        **over,
    }


def test_digest_is_sha256_of_bytes(terms):
    assert terms_digest(terms) == hashlib.sha256(terms.read_bytes()).hexdigest()


def test_accepted_record(terms):
    record = check_acceptance("shhq", accepted(terms), terms, REG)
    assert record == {
        "dataset": "shhq",
        "accepted_by": "Ada <ada@lab.org>",
        "accepted_on": "2026-01-02",
        "terms_file": "terms/shhq.md",
        "terms_sha256": terms_digest(terms),
        "registry_sha256": REG,
    }


@pytest.mark.parametrize("acceptance", [None, {}])
def test_missing_acceptance_says_how(terms, acceptance):
    with pytest.raises(HumanprepError) as err:
        check_acceptance("shhq", acceptance, terms, REG)
    message = str(err.value)
    assert "terms/shhq.md" in message
    assert 'humanprep accept shhq --by "Name <email>"' in message
    assert "agreements:" in message and "\n" not in message


def test_stale_acceptance(terms):
    acceptance = accepted(terms)
    terms.write_text("# Terms\n\nResearch only. New clause.\n")
    with pytest.raises(HumanprepError, match="on 2026-01-02 are not this text") as err:
        check_acceptance("shhq", acceptance, terms, REG)
    assert "accept again" in str(err.value)


@pytest.mark.parametrize(
    "cut",
    [
        lambda d: d[:63],  # truncated by one
        lambda d: d[:8],  # a short prefix
        lambda d: d + "0",  # a digest with a tail
        lambda d: d.upper(),  # not the hex the terms hash to
        lambda d: " " + d,
    ],
)
def test_terms_digest_must_match_in_full(terms, cut):
    acceptance = accepted(terms, terms_sha256=cut(terms_digest(terms)))
    with pytest.raises(HumanprepError, match="are not this text"):
        check_acceptance("shhq", acceptance, terms, REG)


@pytest.mark.parametrize("cut", [lambda d: d[:63], lambda d: d[:12], lambda d: d + "f"])
def test_registry_digest_must_match_in_full(terms, cut):
    with pytest.raises(HumanprepError, match="given for other archives"):
        check_acceptance("shhq", accepted(terms, registry_sha256=cut(REG)), terms, REG)


def test_empty_digests_are_incomplete(terms):
    for field in ("terms_sha256", "registry_sha256"):
        with pytest.raises(HumanprepError, match=f"lacks {field}"):
            check_acceptance("shhq", accepted(terms, **{field: ""}), terms, REG)


def test_incomplete_acceptance(terms):
    with pytest.raises(HumanprepError, match="lacks terms_sha256, registry_sha256"):
        check_acceptance("shhq", {"accepted_by": "Ada", "accepted_on": "2026-01-02"}, terms, REG)


def test_snippet_pastes_into_a_valid_config(terms):
    snippet = acceptance_snippet(
        "shhq", 'Ada "A." Lovelace <ada@lab.org>', terms, "2026-03-04", REG
    )
    config = yaml.safe_load("agreements:\n" + snippet + "\n")
    acceptance = config["agreements"]["shhq"]
    jsonschema.validate(acceptance, schema()["$defs"]["acceptance"])
    assert acceptance["accepted_on"] == "2026-03-04"
    assert acceptance["registry_sha256"] == REG
    assert check_acceptance("shhq", acceptance, terms, REG)["accepted_by"].startswith('Ada "A."')


@pytest.mark.parametrize("by,today", [("", "2026-01-01"), ("Ada", "01/02/2026")])
def test_snippet_rejects_bad_input(terms, by, today):
    with pytest.raises(HumanprepError):
        acceptance_snippet("shhq", by, terms, today, REG)


def test_cli_accept_binds_to_the_upstream_registry_by_default(capsys):
    assert cli.main(["accept", "fdh", "--by", "Ada <ada@lab.org>", "--today", "2026-01-02"]) == 0
    out = capsys.readouterr().out
    assert "terms/fdh.md" in out and "agreements:" in out
    assert terms_digest(REPO / "terms" / "fdh.md") in out
    upstream = registry_digest(load_registry(REPO / "registry" / "upstream" / "fdh.tsv"))
    assert f"registry_sha256: {upstream}" in out


def test_registry_digest_ignores_order_and_comments(tmp_path):
    a = Entry("a.zip", 1, "0" * 64, "", 2, "zip")
    b = Entry("b.tar", None, None, "1" * 32, 0, "tar")
    assert registry_digest([a, b]) == registry_digest([b, a])
    assert registry_digest([a, b]) != registry_digest([a])
    # The canonical text is the header and the sorted TSV lines, hashed as UTF-8.
    text = "file\tsize\tsha256\tmd5\titems\tkind\n" + a.line() + "\n" + b.line()
    assert registry_digest([a, b]) == hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.parametrize("dataset", DATASETS)
def test_demo_config_accepts_only_the_demo_archives(dataset):
    # the demo's acceptance: the demo part of the dataset's folder
    piece = yaml.safe_load((REPO / "humanprep" / "datasets" / dataset / "demo.yaml").read_text())
    terms = REPO / "terms" / f"{dataset}.md"
    acceptance = piece["agreements"][dataset]
    demo = registry_digest(load_registry(REPO / "registry" / "demo" / f"{dataset}.tsv"))
    check_acceptance(dataset, acceptance, terms, demo)
    upstream = registry_digest(load_registry(REPO / "registry" / "upstream" / f"{dataset}.tsv"))
    with pytest.raises(HumanprepError, match="given for other archives"):
        check_acceptance(dataset, acceptance, terms, upstream)
