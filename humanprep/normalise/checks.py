"""Typed checks of raw annotation values, shared by the dataset normalisers.

Raw files are JSON, text and arrays written by other people's tools: a value a later stage
reads may be a string where a number belongs, NaN (Python's json reads `NaN` and
`Infinity`), or a list of the wrong length. Each check returns the value in the type the
record holds, or raises `BadItem` naming the field and what is wrong with it.
"""

import math

from humanprep.items import BadItem


def show(value, limit=40):
    """A short, printable description of a raw value for a quarantine reason."""
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f"{text} ({type(value).__name__})"


def is_number(value):
    """int or float, but not bool (True == 1 in Python, never a coordinate in JSON)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def number(value, what):
    """A finite int or float."""
    if not is_number(value):
        raise BadItem(f"{what} is not a number: {show(value)}")
    if not math.isfinite(value):
        raise BadItem(f"{what} is not a finite number: {value}")
    return value


def integer(value, what, allowed=None):
    """A whole number (an integral float such as 2.0 is accepted) as int, optionally one of
    `allowed`."""
    number(value, what)
    if value != int(value):
        raise BadItem(f"{what} is not a whole number: {value}")
    value = int(value)
    if allowed is not None and value not in allowed:
        raise BadItem(f"{what} is out of range: {value}, expected one of {sorted(allowed)}")
    return value


def number_list(value, what, length=None):
    """A list of finite numbers (of `length` items when given)."""
    if not isinstance(value, list):
        raise BadItem(f"{what} is not a list: {show(value)}")
    if length is not None and len(value) != length:
        raise BadItem(f"{what} has the wrong length: {len(value)} values, expected {length}")
    for i, v in enumerate(value):
        if not is_number(v):
            raise BadItem(f"{what} holds a value that is not a number: [{i}] is {show(v)}")
        if not math.isfinite(v):
            raise BadItem(f"{what} holds a value that is not finite: [{i}] is {v}")
    return value


def text(value, what, optional=True):
    """A string (or None when optional)."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        expected = "a string or null" if optional else "a string"
        raise BadItem(f"{what} is not {expected}: {show(value)}")
    return value


def non_finite_path(obj, path="record"):
    """Where the first NaN or infinity in a JSON-like value sits (e.g. `record.image.x`),
    or None: a record holding one cannot be written as JSON."""
    if isinstance(obj, float):
        return None if math.isfinite(obj) else path
    if isinstance(obj, dict):
        items = obj.items()
    elif isinstance(obj, list | tuple):
        items = ((f"[{i}]", v) for i, v in enumerate(obj))
    else:
        return None
    for key, value in items:
        key = str(key)
        found = non_finite_path(value, path + (key if key.startswith("[") else f".{key}"))
        if found:
            return found
    return None
