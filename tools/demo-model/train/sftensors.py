"""A tiny safetensors reader/writer (8-byte little-endian header length, JSON header, raw data).

Only what the demo model needs: F32, BF16, F16, I32, I64. BF16 is read into float32 exactly (the bits
shifted up 16) and written from float32 with round-to-nearest-even, as torch's .to(torch.bfloat16) does.
"""
import json
import struct

import numpy as np
import torch

_NP = {"F32": np.float32, "F16": np.float16, "I32": np.int32, "I64": np.int64, "U8": np.uint8}


def read(path):
    """Returns ({name: torch tensor}, metadata). BF16 tensors come back as torch.bfloat16."""
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    meta = header.pop("__metadata__", None)
    for name, info in header.items():
        a, b = info["data_offsets"]
        raw = data[base + a: base + b]
        shape = info["shape"]
        if info["dtype"] == "BF16":
            bits = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
            t = torch.from_numpy(bits.view(np.float32).reshape(shape).copy()).to(torch.bfloat16)
        else:
            t = torch.from_numpy(np.frombuffer(raw, dtype=np.dtype(_NP[info["dtype"]]).newbyteorder("<"))
                                 .reshape(shape).copy())
        out[name] = t
    return out, meta


def _dtype_name(t):
    return {torch.float32: "F32", torch.bfloat16: "BF16", torch.float16: "F16", torch.int32: "I32",
            torch.int64: "I64", torch.uint8: "U8"}[t.dtype]


def _bytes(t):
    if t.dtype == torch.bfloat16:
        return t.contiguous().view(torch.int16).numpy().astype("<i2").tobytes()
    return t.contiguous().numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def write(path, tensors, metadata=None):
    """Writes {name: tensor} in the given order (dtypes kept), 8-byte aligned header as the reference lib pads it."""
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs = []
    off = 0
    for name, t in tensors.items():
        b = _bytes(t)
        header[name] = {"dtype": _dtype_name(t), "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
