"""Rows of JSON Lines files read lazily, again at each pass: a report job holds a few rows
of a dataset at a time, never all of them."""

import heapq
import json


def keep_lowest(rows, row, n, key=None):
    """rows plus row, cut back now and then to the `n` lowest by key (stably, as one sort
    of everything would keep them): a bounded buffer of the rows a picker may still take."""
    rows.append(row)
    return heapq.nsmallest(n, rows, key=key) if len(rows) > 4 * n + 8 else rows


class JsonlRows:
    """Iterating gives every row of the files in order, read from disk each time."""

    def __init__(self, paths):
        self.paths = list(paths)

    def __iter__(self):
        for path in self.paths:
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        yield json.loads(line)
