"""Config defaults, read from the config schema: the one place where each default lives.

The schema is package data, humanprep/schemas/config.schema.yaml, with each dataset's own
settings in the config.yaml of its folder (humanprep/datasets/<name>/), merged in at the
keys it names; an installed package finds them as well as a checkout. A workflow run
validates its config against the assembled schema (rules/common.smk), which fills every
default in, so stages receive complete sections; functions called directly (tests,
benchmarks, the API) take the same defaults from here.
"""

import functools
import json
from importlib import resources

SCHEMA = "config.schema.yaml"  # in humanprep/schemas/, beside the record schema


def _yaml(text):
    import yaml

    # libyaml's loader where PyYAML has it: 0.005 s against the pure-Python one's 0.044 s,
    # a fixed cost of every shard job that reads its defaults
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader)


def _merge(into, piece):
    """Deep-merge a dataset's schema piece into the schema's `properties`."""
    for key, value in piece.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def _dataset_folders():
    """Each dataset's folder, humanprep/datasets/<name>/ (read as files: this low-level
    module imports no descriptor)."""
    base = resources.files("humanprep") / "datasets"
    folders = [f for f in base.iterdir() if f.is_dir() and f.joinpath("__init__.py").is_file()]
    return sorted(folders, key=lambda f: f.name)


@functools.cache
def _assembled():
    # found from the top package: reading a file needs no import of humanprep.schemas
    text = (resources.files("humanprep") / "schemas" / SCHEMA).read_text(encoding="utf-8")
    doc = _yaml(text)
    props = doc["properties"]
    for folder in _dataset_folders():
        name = folder.name
        props["datasets"]["properties"][name] = {"$ref": "#/$defs/dataset", "default": {}}
        props["agreements"]["properties"][name] = {"$ref": "#/$defs/acceptance"}
        props["release"]["properties"]["datasets"]["items"]["enum"].append(name)
        piece = folder.joinpath("config.yaml")
        if piece.is_file():
            _merge(props, _yaml(piece.read_text(encoding="utf-8")))
    return json.dumps(doc)


@functools.cache
def _shared():
    return json.loads(_assembled())  # read only: defaults() reads it on every call


def schema():
    """The config schema: config.schema.yaml with, for every dataset, its entries under
    `datasets` and `agreements` and its own settings (the `config.yaml` of its folder,
    merged in at the keys it names). A fresh copy."""
    return json.loads(_assembled())


def _defaults(node):
    if node.get("type") == "object" and "properties" in node:
        return {
            key: _defaults(child)
            for key, child in node["properties"].items()
            if "default" in child or "properties" in child
        }
    return node.get("default")


def defaults(section):
    """The schema's defaults for a top-level config section, nested objects filled in."""
    return _defaults(_shared()["properties"][section])


def options(section, key, given):
    """A subsection's settings: the schema's defaults under what was given."""
    return {**(defaults(section).get(key) or {}), **(given or {})}


def _merge_under(config, piece):
    """Deep-merge `piece` into `config` where the config sets nothing."""
    for key, value in piece.items():
        if key not in config:
            config[key] = value
        elif isinstance(value, dict) and isinstance(config[key], dict):
            _merge_under(config[key], value)


def add_demo_parts(config):
    """The demo (demo: true): each dataset's part of it, its folder's demo.yaml (the
    acceptance of its demo archives, its demo settings), merged in under what the config
    sets. In Python, not as Snakemake configfiles: a workflow used as a module reads none."""
    for folder in _dataset_folders():
        piece = folder.joinpath("demo.yaml")
        if piece.is_file():
            _merge_under(config, _yaml(piece.read_text(encoding="utf-8")))
