"""The record schema: record.schema.json holds what every record has; each dataset's own
sub-record is the `schema.json` of its folder (humanprep/datasets/<name>/), added for every
descriptor (in dataset order)."""

import functools
import json
from importlib import resources


def _load(name):
    return json.loads(resources.files(__name__).joinpath(name).read_text())


def _piece(dataset):
    """The dataset's own sub-record schema, package data of its folder."""
    return json.loads(
        resources.files(f"humanprep.datasets.{dataset}").joinpath("schema.json").read_text()
    )


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
        schema["$defs"][name] = _piece(name)
    return json.dumps(schema)


def record_schema():
    """The whole record schema (a fresh copy: callers may complete it)."""
    return json.loads(_assembled())
