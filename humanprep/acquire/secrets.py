"""Archive passwords: from the environment or a private file, never logged or echoed.

Snakemake writes `params:` and shell commands to `.snakemake/metadata/`, so a password is read
here, inside the job, and never passed through the workflow. No message of this module ever
contains a password or a line of the passwords file.
"""

import json
import os
import stat
from pathlib import Path

from humanprep.errors import HumanprepError


def _unquote(value, where):
    if len(value) >= 2 and value[0] == value[-1] == '"':
        try:
            return json.loads(value)
        except ValueError:
            raise HumanprepError(where, "malformed double-quoted value") from None
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    return value


def parse_passwords(text, source):
    """{dataset: password} from lines `dataset: password` or `dataset=password`.

    Blank lines and lines starting with `#` are skipped. A value is taken literally (spaces
    inside kept, ends stripped) unless wrapped in double quotes (JSON/YAML escapes) or single
    quotes (YAML: '' is one quote). Errors name the line number only, never its text.
    """
    found = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        cut = [i for i in (stripped.find(":"), stripped.find("=")) if i > 0]
        if not cut:
            raise HumanprepError(
                f"{source}:{lineno}", "expected `dataset: password` or `dataset=password`"
            )
        key = stripped[: min(cut)].strip()
        value = _unquote(stripped[min(cut) + 1 :].strip(), f"{source}:{lineno}")
        found[key] = value
    return found


def _inside(path, folder):
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def read_passwords_file(passwords_file, repo_dir=None):
    """Check and parse the passwords file: outside the repository, readable by its owner only."""
    path = Path(passwords_file).expanduser()
    real = path.resolve()
    if repo_dir is not None and _inside(real, Path(repo_dir).resolve()):
        raise HumanprepError(
            path,
            "passwords file is inside the repository (it could be committed or shipped); "
            "move it outside the repository and point passwords_file: at it",
        )
    try:
        info = real.stat()
    except OSError as err:
        raise HumanprepError(path, f"passwords file unreadable: {err.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise HumanprepError(path, "passwords file is not a regular file")
    if info.st_mode & 0o077:
        raise HumanprepError(
            path,
            f"passwords file is readable by others (mode {stat.S_IMODE(info.st_mode):04o}); "
            f"run `chmod 600 {path}` first",
        )
    try:
        text = real.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise HumanprepError(path, f"passwords file unreadable: {type(err).__name__}") from None
    return parse_passwords(text, path)


def get_password(dataset, env_var, passwords_file=None, repo_dir=None, demo_password=None):
    """The archive password of `dataset`: `$env_var` first, else the demo's documented value
    (`demo_password`, given by the demo configuration only), else the passwords file."""
    value = os.environ.get(env_var) if env_var else None
    if value:
        return value
    if demo_password:
        return demo_password
    if passwords_file:
        value = read_passwords_file(passwords_file, repo_dir).get(dataset)
        if value:
            return value
        raise HumanprepError(
            dataset,
            f"archive password not found: {env_var} is not set and {passwords_file} has no "
            f"`{dataset}: ...` line",
        )
    raise HumanprepError(
        dataset,
        f"archive password needed: export {env_var}, or set passwords_file: in your config to a "
        f"mode-600 file outside the repository with a line `{dataset}: <password>`",
    )
