"""Read HuGe100K's `.npy` parameter files without torch and without running pickle code.

Each file is `np.save` of a 0-d object array holding a dict of torch tensors (docs/formats.md,
HuGe100K). `np.load(allow_pickle=True)` would import torch and call whatever the pickle names;
here a restricted unpickler maps the few expected globals to small numpy implementations and
refuses every other one. Each tensor's storage is itself a complete legacy (non-zip)
`torch.save` stream: magic number, protocol version and sys info pickles, the storage pickle
(persistent ids), the list of storage keys, then per key an 8-byte little-endian element count
and the raw little-endian data. That stream is parsed the same restricted way.
"""

import collections
import io
import math
import pickle
import struct
from pathlib import Path

import numpy as np
from numpy.lib import format as npformat

from humanprep.errors import HumanprepError
from humanprep.members import read_member

# Legacy torch.save constants (torch/serialization.py).
MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001
# Storage classes accepted, by their pickled name `torch.<Name>`; data is always little-endian.
STORAGE_DTYPES = {
    "FloatStorage": np.dtype("<f4"),
    "DoubleStorage": np.dtype("<f8"),
    "HalfStorage": np.dtype("<f2"),
}
# Parameter tensors are tiny: refuse anything bigger before allocating for it.
MAX_ELEMENTS = 1 << 24

SMPL_LAYOUT = (
    ("scale", 1),
    ("transl", 3),
    ("global_orient", 3),
    ("body_pose", 63),
    ("betas", 10),
    ("left_hand", 45),
    ("right_hand", 45),
    ("jaw", 3),
    ("leye", 3),
    ("reye", 3),
    ("expression", 10),
)
N_SMPL_PARAMS = sum(n for _, n in SMPL_LAYOUT)
assert N_SMPL_PARAMS == 189, "SMPL-X layout must cover the 189 HuGe100K parameters"


class Malformed(Exception):
    """The bytes are not what a torch-pickled parameter file holds (message: the reason)."""


class _Safe:
    """What the unpickler gets for an allowed global. Its __setstate__ refuses, so a pickle
    cannot BUILD attributes onto the reader's own objects; it has no __dict__ either."""

    __slots__ = ("_fn", "name")

    def __init__(self, name, fn=None):
        self.name, self._fn = name, fn

    def __call__(self, *args):
        if self._fn is None:
            raise Malformed(f"pickle calls {self.name}, which is only a type marker")
        return self._fn(*args)

    def __setstate__(self, state):
        raise Malformed(f"pickle sets state on {self.name}")


class _StorageType(_Safe):
    __slots__ = ("dtype",)

    def __init__(self, name, dtype):
        super().__init__(f"torch.{name}")
        self.dtype = dtype


class _Storage:
    """A storage's elements as a 1-D numpy array (filled after the storage pickle)."""

    __slots__ = ("array", "dtype", "numel")

    def __init__(self, dtype, numel):
        self.dtype, self.numel, self.array = dtype, numel, None

    def __setstate__(self, state):
        raise Malformed("pickle sets state on a storage")


class _ObjectArray:
    """np.ndarray._reconstruct's result for the one array allowed: 0-d, dtype object."""

    __slots__ = ("items",)

    def __init__(self):
        self.items = None

    def __setstate__(self, state):
        if self.items is not None:
            raise Malformed("ndarray state set twice")
        if not (isinstance(state, tuple) and len(state) == 5):
            raise Malformed("ndarray state is not (version, shape, dtype, fortran, data)")
        _version, shape, dtype, _fortran, data = state
        if shape != () or not isinstance(dtype, _DType):
            raise Malformed(f"outer array has shape {shape!r}, expected a 0-d object array")
        if not (isinstance(data, list) and len(data) == 1):
            raise Malformed("0-d object array does not hold exactly one object")
        self.items = data


class _DType:
    __slots__ = ("spec",)

    def __init__(self, spec):
        self.spec = spec

    def __setstate__(self, state):
        # numpy writes (3, '|', None, None, None, -1, -1, 63) for the object dtype.
        if not (isinstance(state, tuple) and state[:2] == (3, "|")):
            raise Malformed(f"unexpected object dtype state {state!r}")


def _refuse(module, name):
    raise Malformed(f"refused pickle global {module}.{name}")


class _StrictUnpickler(pickle.Unpickler):
    """No globals, no persistent ids: plain data only."""

    def find_class(self, module, name):
        _refuse(module, name)

    def persistent_load(self, pid):
        raise Malformed("unexpected persistent id in pickle")


def _plain_load(stream, what):
    try:
        return _StrictUnpickler(stream).load()
    except EOFError:
        raise Malformed(f"torch.save stream ends before its {what}") from None


class _StorageUnpickler(pickle.Unpickler):
    """The storage pickle of a legacy torch.save stream: storage types and persistent ids."""

    def __init__(self, stream):
        super().__init__(stream)
        self.storages = {}

    def find_class(self, module, name):
        if module == "torch" and name in STORAGE_DTYPES:
            return _StorageType(name, STORAGE_DTYPES[name])
        _refuse(module, name)

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 6 and pid[0] == "storage"):
            raise Malformed(f"unexpected persistent id {pid!r:.80}")
        _, storage_type, key, location, numel, view = pid
        if not isinstance(storage_type, _StorageType):
            raise Malformed("persistent id does not name a torch storage type")
        if not (isinstance(key, str) and isinstance(location, str)):
            raise Malformed("storage key and location must be strings")
        if type(numel) is not int or not 0 <= numel <= MAX_ELEMENTS:
            raise Malformed(f"storage element count {numel!r:.40} out of range")
        if view is not None:
            raise Malformed("storage views (legacy view metadata) are not supported")
        if key not in self.storages:
            self.storages[key] = _Storage(storage_type.dtype, numel)
        storage = self.storages[key]
        if (storage.dtype, storage.numel) != (storage_type.dtype, numel):
            raise Malformed(f"storage {key} declared twice with different types or sizes")
        return storage


def _read_exact(stream, n, what):
    data = stream.read(n)
    if len(data) != n:
        raise Malformed(f"torch.save stream truncated in {what}")
    return data


def parse_legacy_torch_save(data):
    """The storage a legacy `torch.save(storage)` stream holds, as a `_Storage`."""
    if not isinstance(data, bytes):
        raise Malformed("_load_from_bytes argument is not bytes")
    stream = io.BytesIO(data)
    if _plain_load(stream, "magic number") != MAGIC_NUMBER:
        raise Malformed("inner torch.save stream has the wrong magic number")
    if _plain_load(stream, "protocol version") != PROTOCOL_VERSION:
        raise Malformed(f"inner torch.save stream is not protocol {PROTOCOL_VERSION}")
    sys_info = _plain_load(stream, "sys info")
    if not (isinstance(sys_info, dict) and sys_info.get("little_endian") is True):
        raise Malformed("inner torch.save stream is not from a little-endian machine")
    unpickler = _StorageUnpickler(stream)
    try:
        root = unpickler.load()
    except EOFError:
        raise Malformed("torch.save stream ends before its storage pickle") from None
    keys = _plain_load(stream, "storage keys")
    storages = unpickler.storages
    if not (isinstance(keys, list) and sorted(keys) == sorted(storages)):
        raise Malformed("storage key list does not match the storages pickled")
    for key in keys:
        storage = storages[key]
        (count,) = struct.unpack("<q", _read_exact(stream, 8, "a storage element count"))
        if count != storage.numel:
            raise Malformed(f"storage {key} holds {count} elements, pickle says {storage.numel}")
        raw = _read_exact(stream, count * storage.dtype.itemsize, "storage data")
        storage.array = np.frombuffer(raw, storage.dtype)
    if stream.read(1):
        raise Malformed("trailing bytes after the storage data")
    if not isinstance(root, _Storage):
        raise Malformed("torch.save stream does not hold a storage")
    return root


def _int_tuple(value, what):
    if not (isinstance(value, tuple) and all(type(v) is int and v >= 0 for v in value)):
        raise Malformed(f"tensor {what} {value!r:.60} is not a tuple of non-negative ints")
    return value


def rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks, metadata=None):
    """torch._utils._rebuild_tensor_v2 in numpy: a copy of the strided view of the storage."""
    if not isinstance(storage, _Storage) or storage.array is None:
        raise Malformed("tensor is not built on a storage")
    if type(offset) is not int or offset < 0:
        raise Malformed(f"tensor storage offset {offset!r:.40} is not a non-negative int")
    size, stride = _int_tuple(size, "size"), _int_tuple(stride, "stride")
    if len(size) != len(stride):
        raise Malformed(f"tensor size {size} and stride {stride} differ in length")
    if not isinstance(requires_grad, bool):
        raise Malformed("tensor requires_grad is not a bool")
    if not isinstance(hooks, dict) or hooks or metadata not in (None, {}):
        raise Malformed("tensor carries backward hooks or python metadata")
    count = math.prod(size)
    if count > MAX_ELEMENTS:
        raise Malformed(f"tensor of {count} elements is too large")
    if count == 0:
        return np.zeros(size, storage.dtype)
    last = offset + sum((n - 1) * s for n, s in zip(size, stride, strict=True))
    if last >= storage.array.size:
        raise Malformed(
            f"tensor (offset {offset}, size {size}, stride {stride}) reaches element {last}"
            f" of a {storage.array.size}-element storage"
        )
    # Index arithmetic (not as_strided): every index is bounds-checked above.
    index = np.full(size, offset, np.int64)
    for dim, (n, s) in enumerate(zip(size, stride, strict=True)):
        shape = [1] * len(size)
        shape[dim] = n
        index += (np.arange(n, dtype=np.int64) * s).reshape(shape)
    return storage.array[index.ravel()].reshape(size)


def _reconstruct(cls, shape, typecode):
    if cls is not _NDARRAY or shape != (0,) or typecode != b"b":
        raise Malformed("unexpected numpy _reconstruct call")
    return _ObjectArray()


def _dtype(spec, align=False, copy=True):
    if spec not in ("O8", "O4"):
        raise Malformed(f"refused numpy dtype {spec!r:.20}: only the object dtype is expected")
    return _DType(spec)


_NDARRAY = _Safe("numpy.ndarray")
_OUTER_GLOBALS = {
    ("torch._utils", "_rebuild_tensor_v2"): _Safe("_rebuild_tensor_v2", rebuild_tensor_v2),
    ("torch.storage", "_load_from_bytes"): _Safe("_load_from_bytes", parse_legacy_torch_save),
    # numpy < 2 pickles numpy.core, numpy >= 2 numpy._core.
    ("numpy.core.multiarray", "_reconstruct"): _Safe("_reconstruct", _reconstruct),
    ("numpy._core.multiarray", "_reconstruct"): _Safe("_reconstruct", _reconstruct),
    ("numpy", "ndarray"): _NDARRAY,
    ("numpy", "dtype"): _Safe("numpy.dtype", _dtype),
    # Torch pickles each tensor's (empty) backward hooks as an OrderedDict.
    ("collections", "OrderedDict"): collections.OrderedDict,
}


class _OuterUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _OUTER_GLOBALS:
            return _OUTER_GLOBALS[module, name]
        _refuse(module, name)

    def persistent_load(self, pid):
        raise Malformed("unexpected persistent id in the outer pickle")


def _load_npy(data):
    stream = io.BytesIO(data)
    version = npformat.read_magic(stream)
    if version == (1, 0):
        shape, _fortran, dtype = npformat.read_array_header_1_0(stream)
    elif version == (2, 0):
        shape, _fortran, dtype = npformat.read_array_header_2_0(stream)
    else:
        raise Malformed(f"unsupported .npy version {version}")
    if dtype != np.dtype(object) or shape != ():
        raise Malformed(f"array is {dtype} of shape {shape}, expected a 0-d object array")
    try:
        array = _OuterUnpickler(stream).load()
    except EOFError:
        raise Malformed("pickle is truncated") from None
    if stream.read(1):
        raise Malformed("trailing bytes after the pickle")
    if not isinstance(array, _ObjectArray) or array.items is None:
        raise Malformed("pickle does not hold a numpy object array")
    return array.items[0]


def loads_torch_npy(data, where):
    """The object in a torch-pickled `.npy` (bytes), tensors as numpy arrays; any problem
    is a HumanprepError naming `where`."""
    try:
        return _load_npy(data)
    except Malformed as err:
        raise HumanprepError(where, err) from None
    except Exception as err:  # untrusted bytes: any failure inside pickle means malformed
        reason = " ".join(str(err).split())[:200]
        raise HumanprepError(where, f"malformed .npy ({type(err).__name__}: {reason})") from None


def _vector(value, shape, what, where):
    if not (isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.shape == shape):
        got = value.shape if isinstance(value, np.ndarray) else type(value).__name__
        raise HumanprepError(where, f"{what} is {got}, expected a float tensor of shape {shape}")
    if not np.isfinite(value).all():
        raise HumanprepError(where, f"{what} holds NaN or infinity")
    return value.astype(np.float32)


def load_huge100k_npy(path):
    """{'smpl_params': float32 (189,), 'poses': [(w2c (4, 4), (fx, fy, cx, cy) (4,)), ...]}."""
    path = Path(path)
    try:
        data = read_member(path)  # a plain file, or a member of a tar read in place
    except OSError as err:
        raise HumanprepError(path, f"cannot read: {err.strerror}") from None
    obj = loads_torch_npy(data, path)
    if not (isinstance(obj, dict) and set(obj) == {"smpl_params", "poses"}):
        keys = sorted(obj) if isinstance(obj, dict) else type(obj).__name__
        raise HumanprepError(path, f"holds {keys}, expected a dict of smpl_params and poses")
    smpl = _vector(obj["smpl_params"], (N_SMPL_PARAMS,), "smpl_params", path)
    if not isinstance(obj["poses"], list | tuple):
        raise HumanprepError(path, "poses is not a list")
    poses = []
    for i, pose in enumerate(obj["poses"]):
        if not (isinstance(pose, list | tuple) and len(pose) == 2):
            raise HumanprepError(path, f"poses[{i}] is not a [w2c, intrinsics] pair")
        w2c = _vector(pose[0], (4, 4), f"poses[{i}] w2c", path)
        intrinsics = _vector(pose[1], (4,), f"poses[{i}] intrinsics", path)
        poses.append((w2c, intrinsics))
    return {"smpl_params": smpl, "poses": poses}


def split_smpl_params(vec):
    """The 189-vector as named SMPL-X parts (SMPL_LAYOUT order), each a float32 copy."""
    vec = np.asarray(vec, np.float32)
    if vec.shape != (N_SMPL_PARAMS,):
        raise ValueError(f"smpl_params has shape {vec.shape}, expected ({N_SMPL_PARAMS},)")
    parts, start = {}, 0
    for name, n in SMPL_LAYOUT:
        parts[name] = vec[start : start + n].copy()
        start += n
    return parts


def type_smpl(definition):
    """Complete HuGe100K's record schema piece for typed views: its SMPL-X arrays, which the
    record schema leaves free-form, by name."""
    array = {"type": "array", "items": {"type": "number"}}
    smpl = {"type": "object", "properties": {name: array for name, _ in SMPL_LAYOUT}}
    definition["properties"]["smpl"] = smpl
