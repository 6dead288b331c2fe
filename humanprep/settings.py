"""Config defaults, read from config/schema.yaml: the one place where each default lives.

A workflow run validates its config against the schema, which fills every default in, so
stages receive complete sections; functions called directly (tests, benchmarks, the API)
take the same defaults from here.
"""

import functools
from pathlib import Path

SCHEMA = Path(__file__).resolve().parent.parent / "config" / "schema.yaml"


@functools.cache
def schema():
    import yaml

    # libyaml's loader where PyYAML has it: 0.005 s against the pure-Python one's 0.044 s,
    # a fixed cost of every shard job that reads its defaults
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(SCHEMA.read_text(), Loader=loader)  # noqa: S506 (a safe loader)


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
