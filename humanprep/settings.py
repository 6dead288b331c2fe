"""Config defaults, read from the config schema: the one place where each default lives.

The schema is package data, humanprep/schemas/config.schema.yaml, so an installed package
finds it as well as a checkout. A workflow run validates its config against it (the
rules/common.smk names the same file), which fills every default in, so stages receive complete
sections; functions called directly (tests, benchmarks, the API) take the same defaults
from here.
"""

import functools
from importlib import resources

SCHEMA = "config.schema.yaml"  # in humanprep/schemas/, beside the record schema


@functools.cache
def schema():
    import yaml

    # found from the top package: reading a file needs no import of humanprep.schemas
    text = (resources.files("humanprep") / "schemas" / SCHEMA).read_text(encoding="utf-8")
    # libyaml's loader where PyYAML has it: 0.005 s against the pure-Python one's 0.044 s,
    # a fixed cost of every shard job that reads its defaults
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader)


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
    return _defaults(schema()["properties"][section])


def options(section, key, given):
    """A subsection's settings: the schema's defaults under what was given."""
    return {**(defaults(section).get(key) or {}), **(given or {})}
