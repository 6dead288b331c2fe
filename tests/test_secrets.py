"""Passwords: environment first, else a private file outside the repo; never echoed."""

import os

import pytest

from humanprep.acquire.secrets import get_password, parse_passwords
from humanprep.errors import HumanprepError

ENV = "HUMANPREP_SHHQ_PASSWORD"
SECRET = "t0p-Secret:with=signs"


@pytest.fixture(autouse=True)
def no_env(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)


@pytest.fixture
def repo(tmp_path):
    path = tmp_path / "repo"
    path.mkdir()
    return path


def private(path, text, mode=0o600):
    path.write_text(text)
    os.chmod(path, mode)
    return path


def test_env_var_first(monkeypatch, tmp_path, repo):
    file = private(tmp_path / "pw", "shhq: from-file\n")
    monkeypatch.setenv(ENV, SECRET)
    assert get_password("shhq", ENV, file, repo_dir=repo) == SECRET


def test_file_both_syntaxes_and_quotes(tmp_path, repo):
    text = (
        "# my passwords\n\n"
        f"shhq: {SECRET}\n"
        "deepfashion2=  spaced out  \n"
        'fdh: "quoted \\" value"\n'
        "celeba: 'it''s'\n"
    )
    file = private(tmp_path / "pw.yaml", text)
    assert get_password("shhq", ENV, file, repo_dir=repo) == SECRET
    assert get_password("deepfashion2", "X_UNSET", str(file), repo_dir=repo) == "spaced out"
    assert parse_passwords(text, "f")["fdh"] == 'quoted " value'
    assert parse_passwords(text, "f")["celeba"] == "it's"


def test_file_inside_repo_refused(repo):
    file = private(repo / "secrets.yaml", f"shhq: {SECRET}\n")
    with pytest.raises(HumanprepError, match="inside the repository") as err:
        get_password("shhq", ENV, file, repo_dir=repo)
    assert SECRET not in str(err.value)


def test_symlink_into_repo_refused(tmp_path, repo):
    real = private(repo / "secrets.yaml", f"shhq: {SECRET}\n")
    link = tmp_path / "pw"
    link.symlink_to(real)
    with pytest.raises(HumanprepError, match="inside the repository"):
        get_password("shhq", ENV, link, repo_dir=repo)


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644])
def test_readable_by_others_refused(tmp_path, repo, mode):
    file = private(tmp_path / "pw", f"shhq: {SECRET}\n", mode)
    with pytest.raises(HumanprepError, match="chmod 600") as err:
        get_password("shhq", ENV, file, repo_dir=repo)
    assert SECRET not in str(err.value)


def test_nothing_configured_names_env_and_option():
    with pytest.raises(HumanprepError) as err:
        get_password("shhq", ENV)
    assert ENV in str(err.value) and "passwords_file" in str(err.value)


def test_dataset_absent_from_file(tmp_path, repo):
    file = private(tmp_path / "pw", f"deepfashion2: {SECRET}\n")
    with pytest.raises(HumanprepError) as err:
        get_password("shhq", ENV, file, repo_dir=repo)
    message = str(err.value)
    assert ENV in message and str(file) in message and SECRET not in message


def test_malformed_line_not_echoed(tmp_path, repo):
    file = private(tmp_path / "pw", f"shhq: ok\n{SECRET.replace(':', '').replace('=', '')}\n")
    with pytest.raises(HumanprepError, match=r"pw:2: expected") as err:
        get_password("shhq", ENV, file, repo_dir=repo)
    assert "t0p-Secret" not in str(err.value)


def test_missing_file(tmp_path, repo):
    with pytest.raises(HumanprepError, match="unreadable"):
        get_password("shhq", ENV, tmp_path / "nope", repo_dir=repo)


def test_password_never_logged(tmp_path, repo, caplog):
    file = private(tmp_path / "pw", f"shhq: {SECRET}\n")
    with caplog.at_level("DEBUG"):
        get_password("shhq", ENV, file, repo_dir=repo)
    assert SECRET not in caplog.text


def test_demo_password_after_the_environment_before_the_file(monkeypatch, tmp_path, repo):
    file = private(tmp_path / "pw", "shhq: from-file\n")
    assert get_password("shhq", ENV, file, repo_dir=repo, demo_password="demo") == "demo"
    monkeypatch.setenv(ENV, SECRET)
    assert get_password("shhq", ENV, file, repo_dir=repo, demo_password="demo") == SECRET
    monkeypatch.delenv(ENV)
    assert get_password("shhq", ENV, file, repo_dir=repo) == "from-file"
