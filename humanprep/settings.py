"""Config defaults, read from config/schema.yaml and each dataset's config.yaml (its own
settings, in humanprep/datasets/<name>/): the one place where each default lives.

A workflow run validates its config against the schema, which fills every default in, so
stages receive complete sections; functions called directly (tests, benchmarks, the API)
take the same defaults from here.
"""

import functools
import json
from importlib import resources
from pathlib import Path

SCHEMA = Path(__file__).resolve().parent.parent / "config" / "schema.yaml"


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


@functools.cache
def _assembled():
    from humanprep.datasets import DESCRIPTORS

    doc = _yaml(SCHEMA.read_text())
    props = doc["properties"]
    for name in DESCRIPTORS:
        props["datasets"]["properties"][name] = {"$ref": "#/$defs/dataset", "default": {}}
        props["agreements"]["properties"][name] = {"$ref": "#/$defs/acceptance"}
        props["release"]["properties"]["datasets"]["items"]["enum"].append(name)
        piece = resources.files(f"humanprep.datasets.{name}").joinpath("config.yaml")
        if piece.is_file():
            _merge(props, _yaml(piece.read_text()))
    return json.dumps(doc)


@functools.cache
def _shared():
    return json.loads(_assembled())  # read only: defaults() reads it on every call


def schema():
    """The config schema: config/schema.yaml with, for every dataset, its entries under
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
