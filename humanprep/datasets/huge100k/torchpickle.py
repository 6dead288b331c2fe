"""Write `.npy` files the way HuGe100K's were made (torch tensors in `np.save`), without torch.

The bytes follow docs/formats.md (HuGe100K): an `.npy` v1.0 header for a 0-d object array, then a
protocol 3 pickle (what numpy 1.x's `np.save` wrote) whose tensors reduce to
`torch._utils._rebuild_tensor_v2(torch.storage._load_from_bytes(<legacy torch.save stream>),
offset, size, stride, False, OrderedDict())`. Torch names are written as pickle globals by
name, never imported: the standard picklers look every global up before writing it, so a
subclass of the pure-Python pickler writes these few names itself.
"""

import collections
import io
import pickle
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.lib import format as npformat

from humanprep.datasets.huge100k.torchnpy import MAGIC_NUMBER, PROTOCOL_VERSION, STORAGE_DTYPES
from humanprep.io import write_bytes

OUTER_PROTOCOL = 3  # numpy < 2 np.save
LEGACY_PROTOCOL = 2  # torch.save's default pickle protocol
# torch.save's sys info record, as torch writes it on a little-endian 64-bit machine.
SYS_INFO = {
    "protocol_version": PROTOCOL_VERSION,
    "little_endian": True,
    "type_sizes": {"short": 2, "int": 4, "long": 4},
}
# Torch uses the storage's address as its key; any string works, a fixed one is reproducible.
STORAGE_KEY = "0"
STORAGE_LOCATION = "cpu"


@dataclass(frozen=True)
class _Global:
    """A module-level name pickled by reference (GLOBAL opcode) without importing it."""

    module: str
    name: str

    def __call__(self, *args):
        # pickle checks that a reduce function is callable; this one is only ever written.
        raise TypeError(f"{self.module}.{self.name} is a pickle reference, not a function")


_REBUILD_TENSOR_V2 = _Global("torch._utils", "_rebuild_tensor_v2")
_LOAD_FROM_BYTES = _Global("torch.storage", "_load_from_bytes")
_RECONSTRUCT = _Global("numpy.core.multiarray", "_reconstruct")
_NDARRAY = _Global("numpy", "ndarray")
_DTYPE = _Global("numpy", "dtype")
_STORAGE_TYPES = {dtype: _Global("torch", name) for name, dtype in STORAGE_DTYPES.items()}


class _Pickler(pickle._Pickler):
    """Pure-Python pickler (its dispatch table is extendable) that writes _Global by name and
    turns _StorageRoot into torch.save's persistent id."""

    dispatch = pickle._Pickler.dispatch.copy()

    def _save_global_by_name(self, obj):
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode("ascii"))
        self.memoize(obj)

    dispatch[_Global] = _save_global_by_name

    def persistent_id(self, obj):
        if isinstance(obj, _StorageRoot):
            storage_type = _STORAGE_TYPES[obj.values.dtype]
            return ("storage", storage_type, STORAGE_KEY, STORAGE_LOCATION, obj.values.size, None)
        return None


def _dumps(obj, protocol):
    buf = io.BytesIO()
    _Pickler(buf, protocol=protocol).dump(obj)
    return buf.getvalue()


@dataclass(frozen=True, eq=False)
class _StorageRoot:
    values: np.ndarray


def legacy_torch_save(values):
    """What `torch.save(storage, f, _use_new_zipfile_serialization=False)` writes for a
    storage holding `values` (1-D float16/32/64)."""
    if values.dtype not in _STORAGE_TYPES:
        raise ValueError(f"no torch storage type for {values.dtype}")
    values = np.ascontiguousarray(values, values.dtype.newbyteorder("<"))
    head = b"".join(
        _dumps(obj, LEGACY_PROTOCOL)
        for obj in (MAGIC_NUMBER, PROTOCOL_VERSION, SYS_INFO, _StorageRoot(values), [STORAGE_KEY])
    )
    return head + struct.pack("<q", values.size) + values.tobytes()


@dataclass(frozen=True, eq=False)
class StridedTensor:
    """A tensor as torch stores it: a 1-D storage and a view (offset, size, stride) onto it,
    in elements. Plain arrays become contiguous ones; use this for any other layout."""

    storage: np.ndarray
    offset: int
    size: tuple
    stride: tuple

    @classmethod
    def of(cls, array):
        array = np.asarray(array)
        stride, step = [], 1
        for n in reversed(array.shape):
            stride.insert(0, step)
            step *= n
        return cls(array.ravel(), 0, tuple(array.shape), tuple(stride))

    def __reduce__(self):
        args = (
            _TorchStorage(self.storage),
            self.offset,
            tuple(self.size),
            tuple(self.stride),
            False,
        )
        # A fresh empty OrderedDict per tensor, as torch pickles its backward hooks.
        return _REBUILD_TENSOR_V2, (*args, collections.OrderedDict())


@dataclass(frozen=True, eq=False)
class _TorchStorage:
    values: np.ndarray

    def __reduce__(self):
        return _LOAD_FROM_BYTES, (legacy_torch_save(self.values),)


class _DTypeObject:
    def __reduce__(self):
        return _DTYPE, ("O8", False, True), (3, "|", None, None, None, -1, -1, 63)


@dataclass(frozen=True, eq=False)
class _ObjectArray0d:
    item: object

    def __reduce__(self):
        state = (1, (), _DTypeObject(), False, [self.item])
        return _RECONSTRUCT, (_NDARRAY, (0,), b"b"), state


def _as_tensors(obj):
    """The same tree with every numpy array replaced by a contiguous StridedTensor."""
    if isinstance(obj, np.ndarray):
        return StridedTensor.of(obj)
    if isinstance(obj, dict):
        return {k: _as_tensors(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return type(obj)(_as_tensors(v) for v in obj)
    return obj


def dumps_npy_like_huge100k(params):
    """The `.npy` bytes for `params` (dicts, lists, tuples, numpy float arrays or
    StridedTensor), tensors pickled as torch pickles them."""
    header = io.BytesIO()
    npformat.write_array_header_1_0(header, {"descr": "|O", "fortran_order": False, "shape": ()})
    return header.getvalue() + _dumps(_ObjectArray0d(_as_tensors(params)), OUTER_PROTOCOL)


def save_npy_like_huge100k(path_or_file, params):
    """Write dumps_npy_like_huge100k(params) to a path (atomically) or a binary file."""
    data = dumps_npy_like_huge100k(params)
    if isinstance(path_or_file, str | Path):
        write_bytes(path_or_file, data)
    else:
        path_or_file.write(data)
    return data
