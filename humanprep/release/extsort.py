"""Sort more rows than memory holds: sorted runs of at most `run_size` rows spilled to
temporary files, then merged (heapq.merge reads one row of each run at a time)."""

import heapq
import pickle
import shutil
import tempfile

RUN_SIZE = 20_000


class ExternalSort:
    """add() rows, then iterate sorted() once; close() removes the runs."""

    def __init__(self, key, folder=None, run_size=RUN_SIZE):
        self.key, self.run_size = key, run_size
        self.folder = folder
        self.rows, self.runs, self._dir = [], [], None

    def add(self, row):
        self.rows.append(row)
        if len(self.rows) >= self.run_size:
            self._spill()

    def _spill(self):
        if self._dir is None:
            self._dir = tempfile.mkdtemp(prefix=".extsort.", dir=self.folder)
        path = f"{self._dir}/run-{len(self.runs):05d}.pickle"
        with open(path, "wb") as fh:
            for row in sorted(self.rows, key=self.key):
                pickle.dump(row, fh, protocol=pickle.HIGHEST_PROTOCOL)
        self.runs.append(path)
        self.rows = []

    @staticmethod
    def _read(path):
        with open(path, "rb") as fh:
            while True:
                try:
                    yield pickle.load(fh)
                except EOFError:
                    return

    def sorted(self):
        """The rows in key order (stable: equal keys keep the order they were added in)."""
        if not self.runs:
            yield from sorted(self.rows, key=self.key)
            return
        if self.rows:
            self._spill()
        yield from heapq.merge(*(self._read(p) for p in self.runs), key=self.key)

    def close(self):
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
