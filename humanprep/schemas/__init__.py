"""The record schema: record.schema.json holds what every record has; each dataset's own
sub-record is `<dataset>.json` beside it, added for every descriptor (in dataset order)."""

import functools
import json
from importlib import resources


def _load(name):
    return json.loads(resources.files(__name__).joinpath(name).read_text())


@functools.cache
def _assembled():
    from humanprep.datasets import DESCRIPTORS

    schema = _load("record.schema.json")
    for name in DESCRIPTORS:
        schema["properties"]["dataset"]["enum"].append(name)
        schema["properties"][name] = {"$ref": f"#/$defs/{name}"}
        schema["allOf"].append(
            {"if": {"properties": {"dataset": {"const": name}}}, "then": {"required": [name]}}
        )
        schema["$defs"][name] = _load(f"{name}.json")
    return json.dumps(schema)


def record_schema():
    """The whole record schema (a fresh copy: callers may complete it)."""
    return json.loads(_assembled())
