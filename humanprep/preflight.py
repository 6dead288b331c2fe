"""Checks and messages of the workflow's start and end, as plain functions (rules/common.smk
and the Snakefile call them). Before Snakemake plans any job, each failing in one line: a
working directory it cannot write, a config that is not a plain YAML tree or does not
validate, a plan with more shards than Snakemake can build in reasonable time and memory, a
dataset with nothing to read, a missing archive password; and the closing line."""

import copy
import difflib
import os
import tempfile
from pathlib import Path

import yaml

from humanprep.errors import HumanprepError
from humanprep.oserrors import WHAT, describe

# A humanprep config is a few KB; this bounds what Snakemake's own messages may print.
MAX_CONFIG_BYTES = 1_000_000
MAX_MESSAGE = 160  # characters of a value quoted in a config problem
# What Snakemake spends planning this workflow, per thousand jobs (bench/dag_cost.py,
# docs/scale.md): CPU seconds and peak MB of `snakemake -n`.
PLAN_CPU_S_PER_1000 = 11
PLAN_MB_PER_1000 = 87


def check_writable(folder=".", name=".snakemake"):
    """Snakemake keeps its records in <folder>/.snakemake: fail in one line when it cannot."""
    where = Path(folder, name)
    try:
        where.mkdir(exist_ok=True)
        with tempfile.TemporaryFile(dir=where):
            pass
    except OSError as err:
        what = WHAT.get(err.errno) or err.strerror or type(err).__name__
        raise HumanprepError(
            Path(folder).absolute(),
            f"the working directory cannot be written ({what}), and Snakemake keeps its "
            f"records in {name}/ there; run from a writable folder (snakemake --directory DIR)",
        ) from None


class _PlainLoader(yaml.SafeLoader):
    """Safe YAML without anchors and aliases: an alias repeats a subtree without its cost
    in the file (a "billion laughs" of 9 levels is a gigabyte of strings)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent) or getattr(self.peek_event(), "anchor", None):
            event = self.peek_event()
            line = event.start_mark.line + 1
            raise HumanprepError(
                self.name,
                f"line {line}: YAML anchors and aliases (&{event.anchor} / *{event.anchor}) "
                "are not allowed in a humanprep config; write the values out",
            )
        return super().compose_node(parent, index)


def check_config_file(path):
    """The file is a plain YAML tree (no anchors or aliases) of a reasonable size."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise HumanprepError(
                path, f"{size} bytes: a humanprep config is a few KB (at most {MAX_CONFIG_BYTES})"
            )
        with open(path, encoding="utf-8") as fh:
            yaml.load(fh, Loader=_PlainLoader)  # noqa: S506 (a SafeLoader)
    except OSError as err:
        raise HumanprepError(path, describe(err, path)) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise HumanprepError(path, f"{where}not valid YAML ({problem})") from None


def check_config_files(paths):
    for path in paths:
        check_config_file(path)


def _short(text):
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."


def _key(path):
    return ".".join(str(p) for p in path) or "(top level)"


def _explain(error):
    """One line for one schema error: the key and what is wrong with it."""
    if error.validator == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(known))
        lines = []
        for key in extra:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            lines.append(f"{_key([*error.absolute_path, key])}: unknown key{hint}")
        return lines
    value = _short(repr(error.instance))
    if error.validator == "type":
        return [f"{_key(error.absolute_path)}: {value} is not of type {error.validator_value!r}"]
    if error.validator == "enum":
        allowed = ", ".join(map(repr, error.validator_value))
        return [f"{_key(error.absolute_path)}: {value} is not one of {_short(allowed)}"]
    return [f"{_key(error.absolute_path)}: {_short(error.message)}"]


def _filling_validator(schema):
    """The schema's validator, which also fills each missing key that has a default in,
    as snakemake.utils.validate does (jsonschema's FAQ recipe)."""
    from jsonschema import validators

    base = validators.validator_for(schema)
    check_properties = base.VALIDATORS["properties"]

    def properties(validator, props, instance, node):
        if isinstance(instance, dict):
            for key, child in props.items():
                if "default" in child:
                    instance.setdefault(key, child["default"])
        yield from check_properties(validator, props, instance, node)

    return validators.extend(base, {"properties": properties})(schema)


def config_problems(config, schema, fill=False):
    """One line per problem of `config` against the JSON schema (dict), each naming the key;
    never the schema nor the whole config. With `fill`, missing keys get their defaults."""
    if fill:
        validator = _filling_validator(schema)
    else:
        from jsonschema.validators import validator_for

        validator = validator_for(schema)(schema)
    lines = []
    for error in sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path)):
        lines += _explain(error)
    return lines


def load_schema(schema_path):
    # libyaml's loader where PyYAML has it: several times faster than the pure-Python one,
    # and the workflow reads the schema at every parse
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(schema_path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=loader)  # noqa: S506 (a safe loader)


def check_config(config, schema):
    """Validate `config` against the schema (a dict: humanprep.settings.schema(), the
    datasets' parts assembled in; or a file) and fill its defaults in (what Snakemake's
    validate() does), or fail in one line per problem."""
    # a copy: filling puts the schema's own default objects into the config
    schema = copy.deepcopy(schema) if isinstance(schema, dict) else load_schema(schema)
    problems = config_problems(config, schema, fill=True)
    if problems:
        raise HumanprepError(
            "config",
            f"{len(problems)} problem(s): "
            + "; ".join(problems[:10])
            + (f"; and {len(problems) - 10} more" if len(problems) > 10 else ""),
        )


def check_plan(shards, stages, max_jobs):
    """Refuse a plan with more per-shard jobs than `max_jobs`; `shards` and `stages` (the
    per-shard steps: normalise and the derived subsets) by dataset. Says how many jobs,
    what Snakemake would spend on them, and which setting to change."""
    jobs = {d: shards[d] * stages[d] for d in shards}
    total = sum(jobs.values())
    if total <= max_jobs:
        return
    worst = max(jobs, key=jobs.get)
    cpu_min = total / 1000 * PLAN_CPU_S_PER_1000 / 60
    gb = total / 1000 * PLAN_MB_PER_1000 / 1000
    raise HumanprepError(
        "config",
        f"{total:,} per-shard jobs planned ({worst}: {shards[worst]:,} shards x "
        f"{stages[worst]} steps), more than max_jobs {max_jobs:,}: Snakemake alone would "
        f"spend about {cpu_min:.0f} CPU-minutes and {gb:.1f} GB planning them, before any "
        f"runs (docs/scale.md). Raise datasets.{worst}.shard_size (or shard_size), or "
        "max_jobs if you mean it",
    )


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
