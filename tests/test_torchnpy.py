"""The torch-format `.npy` writer (humanprep.datasets.huge100k.torchpickle) and safe reader
(humanprep.datasets.huge100k.torchnpy).

tests/data/huge100k_torch_reference.npy was written by real torch 2.13.0 + numpy 2.4.6
(`np.save` of a 0-d object array, pickle protocol 4) from:
  smpl_params = torch.arange(189, dtype=torch.float32) * 0.25 - 10
  poses[i] = [w2c_i, tensor([1120, 1120, 320, 448])], w2c_i = eye(4) with column 3 = (i, -i, 2.5)
  except poses[1][0] = w2c_1.t().contiguous().t()  (stride (1, 4))
  and poses[2][1] = tensor([0, 0, 0, 0, 1120, 1120, 320, 448, 9, 9])[4:8]  (storage offset 4).
"""

import io
import pickle
import struct
from pathlib import Path

import numpy as np
import pytest
from numpy.lib import format as npformat

from humanprep.datasets.huge100k.torchnpy import (
    load_huge100k_npy,
    loads_torch_npy,
    split_smpl_params,
)
from humanprep.datasets.huge100k.torchpickle import (
    StridedTensor,
    dumps_npy_like_huge100k,
    save_npy_like_huge100k,
)
from humanprep.errors import HumanprepError

REFERENCE = Path(__file__).parent / "data" / "huge100k_torch_reference.npy"
# Bytes of torch's legacy magic-number pickle, copied from a real torch 2.13.0 storage stream.
TORCH_MAGIC_PICKLE = b"\x80\x02\x8a\nl\xfc\x9cF\xf9 j\xa8P\x19."


def _w2c(i):
    m = np.eye(4, dtype=np.float32)
    m[:3, 3] = (i, -i, 2.5)
    return m


def _params(rng):
    poses = [
        [rng.normal(size=(4, 4)).astype(np.float32), rng.normal(size=4).astype(np.float32)]
        for _ in range(24)
    ]
    return {"smpl_params": rng.normal(size=189).astype(np.float32), "poses": poses}


def _npy_header():
    buf = io.BytesIO()
    npformat.write_array_header_1_0(buf, {"descr": "|O", "fortran_order": False, "shape": ()})
    return buf.getvalue()


def _short_unicode(text):
    data = text.encode()
    return b"\x8c" + bytes([len(data)]) + data


def test_written_arrays_read_back_bit_exact(tmp_path):
    params = _params(np.random.default_rng(3))
    path = tmp_path / "p.npy"
    save_npy_like_huge100k(path, params)
    got = load_huge100k_npy(path)
    assert got["smpl_params"].dtype == np.float32
    assert got["smpl_params"].tobytes() == params["smpl_params"].tobytes()
    assert len(got["poses"]) == 24
    for (w2c, k), (w2c_in, k_in) in zip(got["poses"], params["poses"], strict=True):
        assert w2c.tobytes() == w2c_in.tobytes() and k.tobytes() == k_in.tobytes()


def test_writer_bytes_follow_the_documented_structure():
    data = dumps_npy_like_huge100k({"smpl_params": np.arange(189, dtype=np.float32)})
    assert data[:10] == b"\x93NUMPY\x01\x00v\x00"  # v1.0 header, 118 bytes long
    assert b"'descr': '|O'" in data[:128] and b"'shape': ()" in data[:128]
    assert data[128:130] == b"\x80\x03"  # pickle protocol 3
    for name in (
        b"cnumpy.core.multiarray\n_reconstruct\n",
        b"ctorch._utils\n_rebuild_tensor_v2\n",
        b"ctorch.storage\n_load_from_bytes\n",
        b"ccollections\nOrderedDict\n",
        b"ctorch\nFloatStorage\n",
    ):
        assert name in data
    assert TORCH_MAGIC_PICKLE in data
    assert pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2) == TORCH_MAGIC_PICKLE
    # After the storage keys pickle: element count 189 (int64 LE), then the float32 data.
    raw = struct.pack("<q", 189) + np.arange(189, dtype="<f4").tobytes()
    assert raw in data


def test_non_contiguous_tensor_with_storage_offset(tmp_path):
    storage = np.arange(20, dtype=np.float32)
    # element [i, j] = storage[3 + i * 1 + j * 4]
    tensor = StridedTensor(storage, offset=3, size=(2, 3), stride=(1, 4))
    path = tmp_path / "s.npy"
    save_npy_like_huge100k(path, {"t": tensor})
    got = loads_torch_npy(path.read_bytes(), path)["t"]
    np.testing.assert_array_equal(got, [[3, 7, 11], [4, 8, 12]])


def test_tensor_reaching_past_its_storage_is_refused(tmp_path):
    tensor = StridedTensor(np.zeros(4, np.float32), offset=2, size=(3,), stride=(1,))
    data = dumps_npy_like_huge100k({"t": tensor})
    with pytest.raises(HumanprepError, match="reaches element 4 of a 4-element storage"):
        loads_torch_npy(data, "x.npy")


def test_reads_the_real_torch_reference_file():
    got = load_huge100k_npy(REFERENCE)
    np.testing.assert_array_equal(got["smpl_params"], np.arange(189) * 0.25 - 10)
    assert len(got["poses"]) == 24
    for i, (w2c, k) in enumerate(got["poses"]):
        np.testing.assert_array_equal(w2c, _w2c(i))
        np.testing.assert_array_equal(k, [1120, 1120, 320, 448])
    # View 1's w2c was a transposed view, view 2's intrinsics a slice at offset 4.
    assert got["poses"][1][0][0, 3] == 1 and got["poses"][1][0][3, 0] == 0


def test_split_smpl_params_boundaries():
    parts = split_smpl_params(np.arange(189, dtype=np.float32))
    first_last = {name: (v[0], v[-1], v.size) for name, v in parts.items()}
    assert first_last == {
        "scale": (0, 0, 1),
        "transl": (1, 3, 3),
        "global_orient": (4, 6, 3),
        "body_pose": (7, 69, 63),
        "betas": (70, 79, 10),
        "left_hand": (80, 124, 45),
        "right_hand": (125, 169, 45),
        "jaw": (170, 172, 3),
        "leye": (173, 175, 3),
        "reye": (176, 178, 3),
        "expression": (179, 188, 10),
    }
    with pytest.raises(ValueError):
        split_smpl_params(np.zeros(188))


@pytest.mark.parametrize(
    ("payload", "name"),
    [
        # protocol 0 GLOBAL + REDUCE: os.system("touch <marker>")
        (lambda m: b"cos\nsystem\n(V" + f"touch {m}".encode() + b"\ntR.", "os.system"),
        # protocol 4 STACK_GLOBAL: builtins.eval("open(<marker>, 'w')")
        (
            lambda m: (
                b"\x80\x04\x8c\x08builtins\x8c\x04eval\x93"
                + _short_unicode(f"open({str(m)!r}, 'w')")
                + b"\x85R."
            ),
            "builtins.eval",
        ),
    ],
)
def test_code_in_outer_pickle_is_refused_and_not_run(tmp_path, payload, name):
    marker = tmp_path / "side_effect"
    data = _npy_header() + payload(marker)
    with pytest.raises(HumanprepError, match=f"refused pickle global {name}"):
        loads_torch_npy(data, "evil.npy")
    assert not marker.exists()


def test_code_in_inner_torch_save_stream_is_refused_and_not_run(tmp_path):
    marker = tmp_path / "side_effect"
    inner = (
        TORCH_MAGIC_PICKLE
        + pickle.dumps(1001, protocol=2)
        + pickle.dumps({"little_endian": True}, protocol=2)
        + b"cos\nsystem\n(V"
        + f"touch {marker}".encode()
        + b"\ntR."
    )
    outer = b"\x80\x03ctorch.storage\n_load_from_bytes\nB" + struct.pack("<I", len(inner))
    data = _npy_header() + outer + inner + b"\x85R."
    with pytest.raises(HumanprepError, match="refused pickle global os.system"):
        loads_torch_npy(data, "evil.npy")
    assert not marker.exists()


def test_pickle_cannot_set_attributes_on_allowed_functions():
    state = pickle.dumps({"__defaults__": (1,)}, protocol=3)[2:-1]
    data = _npy_header() + b"\x80\x03ctorch._utils\n_rebuild_tensor_v2\n" + state + b"b."
    with pytest.raises(HumanprepError, match="pickle sets state on _rebuild_tensor_v2"):
        loads_torch_npy(data, "evil.npy")


def test_truncated_file_is_a_humanprep_error(tmp_path):
    data = dumps_npy_like_huge100k(_params(np.random.default_rng(0)))
    for cut in [*range(0, len(data), 97), len(data) - 1]:
        path = tmp_path / "cut.npy"
        path.write_bytes(data[:cut])
        with pytest.raises(HumanprepError) as err:
            load_huge100k_npy(path)
        assert str(err.value).startswith(f"{path}: ") and "\n" not in str(err.value)


def test_trailing_bytes_and_wrong_content_are_refused(tmp_path):
    data = dumps_npy_like_huge100k(_params(np.random.default_rng(0)))
    with pytest.raises(HumanprepError, match="trailing bytes"):
        loads_torch_npy(data + b"\0", "x.npy")
    path = tmp_path / "short.npy"
    save_npy_like_huge100k(path, {"smpl_params": np.zeros(188, np.float32), "poses": []})
    with pytest.raises(HumanprepError, match=r"smpl_params is \(188,\)"):
        load_huge100k_npy(path)
    plain = io.BytesIO()
    np.save(plain, np.zeros(3, np.float32))
    with pytest.raises(HumanprepError, match="expected a 0-d object array"):
        loads_torch_npy(plain.getvalue(), "plain.npy")
