#!/usr/bin/python3
"""Reads and writes the safetensors format by hand (numpy + torch; the `safetensors` package
is not needed): an 8-byte little-endian header length, a JSON header, raw little-endian bytes.

Usage (run with Debian's /usr/bin/python3, which has torch):
  read_safetensors.py summary FILE      print {"metadata", "tensors": {name: {dtype, shape, values}}}
                                        after reading FILE into torch tensors
  read_safetensors.py write-demo FILE   write a file with every dtype, print its summary
"""
import json
import os
import struct
import sys

import numpy as np
import torch

NUMPY = {
    "F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32,
    "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_,
}
TORCH_NAMES = {
    torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
    torch.uint8: "U8", torch.bool: "BOOL",
}


def read(path):
    """Returns ({name: torch.Tensor}, metadata) in file order."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    base = 8 + n
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        raw = data[base + begin:base + end]
        if info["dtype"] == "BF16":
            u16 = np.frombuffer(raw, dtype="<u2").astype(np.int32) << 16
            t = torch.from_numpy(u16.copy()).view(torch.float32).to(torch.bfloat16)
        else:
            arr = np.frombuffer(raw, dtype=np.dtype(NUMPY[info["dtype"]]).newbyteorder("<"))
            t = torch.from_numpy(arr.copy())
        tensors[name] = t.reshape(info["shape"])
    return tensors, metadata


def write(path, tensors, metadata=None):
    """Writes {name: torch.Tensor} (any dtype above) atomically."""
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    chunks = []
    offset = 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        if t.dtype == torch.bfloat16:
            raw = t.view(torch.int16).numpy().astype("<i2").tobytes()
        else:
            raw = t.numpy().astype(np.dtype(t.numpy().dtype).newbyteorder("<")).tobytes()
        header[name] = {"dtype": TORCH_NAMES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    js = json.dumps(header).encode("utf-8")
    js += b" " * (-len(js) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(js)))
        f.write(js)
        for c in chunks:
            f.write(c)
    os.replace(tmp, path)


def summary(tensors, metadata):
    out = {}
    for name, t in tensors.items():
        values = t.reshape(-1)
        if t.dtype in (torch.float16, torch.bfloat16, torch.float64):
            values = values.to(torch.float32)
        out[name] = {"dtype": TORCH_NAMES[t.dtype], "shape": list(t.shape),
                     "values": values.tolist()}
    return {"metadata": metadata, "tensors": out}


def demo_tensors():
    g = torch.Generator().manual_seed(7)
    return {
        "f32": torch.randn(2, 3, 4, generator=g),
        "f16": torch.tensor([0.5, -1.25, 65504.0, 6e-5, 1e-7], dtype=torch.float16),
        "bf16": torch.tensor([1.5, -2.0, 3.140625], dtype=torch.bfloat16),
        "f64": torch.tensor([[1 / 3, -2.5]], dtype=torch.float64),
        "i64": torch.tensor([0, -5, 2**31 - 1], dtype=torch.int64),
        "i32": torch.tensor([[1, -2], [3, -4]], dtype=torch.int32),
        "u8": torch.tensor([0, 7, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "scalar": torch.tensor(2.5),
        "empty": torch.zeros(0, 3),
    }


def main(argv):
    if len(argv) != 3 or argv[1] not in ("summary", "write-demo"):
        print(__doc__, file=sys.stderr)
        return 2
    if argv[1] == "write-demo":
        write(argv[2], demo_tensors(), {"format": "pt", "note": "written by read_safetensors.py"})
    tensors, metadata = read(argv[2])
    json.dump(summary(tensors, metadata), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
