"""Checks and messages of the workflow's start and end, as plain functions (rules/common.smk
and the Snakefile call them): a dataset with nothing to read, a missing archive password,
and the closing line."""

import os
from pathlib import Path


def nothing_registered(dataset, entries, registry_path, overlay_path, raw_dir):
    """One line when an enabled dataset has no registered item (no file, or files that
    hold no item), naming the command that fixes it; None otherwise."""
    if sum(e.items for e in entries):
        return None
    where = str(registry_path) + (f" or {overlay_path}" if overlay_path else "")
    found = "no file is registered" if not entries else "the registered files hold 0 items"
    return (
        f"{dataset}: nothing to read: {found} in {where}; record your archives with "
        f"`humanprep register {dataset} {raw_dir}/{dataset}/<archive>` (it counts their items), "
        f"or set datasets: {{{dataset}: {{enabled: false}}}} in your config"
    )


def missing_passwords(needed, passwords_file, environ=None):
    """(dataset, variable) of each archive password this run cannot find: `needed` is
    (dataset, variable) of the enabled encrypted datasets; a passwords file is read only
    inside the extract job, which then names a missing line."""
    environ = os.environ if environ is None else environ
    if passwords_file:
        return []
    return [(d, var) for d, var in needed if not environ.get(var)]


def missing_password_message(missing):
    """One line naming both ways to give the passwords of `missing` ((dataset, variable))."""
    exports = " and ".join(f"export {var}" for _, var in missing)
    lines = ", ".join(f"`{d}: <password>`" for d, _ in missing)
    names = ", ".join(d for d, _ in missing)
    return (
        f"humanprep: archive password needed for {names}: {exports}, or set passwords_file: "
        f"in your config to a mode-600 file outside the repository with the line(s) {lines} "
        "(a dry run, snakemake -n, needs none)"
    )


def closing_message(release_json, release_dir, results, started):
    """The run's last line: the release only when this run built it (its record written
    since `started`, a time.time()), else that none was."""
    path = Path(release_json)
    if path.exists() and path.stat().st_mtime >= started:
        return f"humanprep: release in {release_dir}/, results in {results}/"
    return f"humanprep: no release built in this run; results in {results}/"
