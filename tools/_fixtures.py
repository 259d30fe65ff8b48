"""What the fixture tools share: compact float32 lists and atomic JSON writes."""

import json
import os

import numpy as np


def f32(values):
    """Shortest decimal strings that round-trip as float32, to keep the file small."""
    return [float(str(np.float32(v))) for v in values]


def write_json_atomic(path, data):
    """Writes `data` as JSON to a temporary name beside `path`, then renames it into place."""
    with open(path + ".tmp", "w") as f:
        json.dump(data, f)
    os.replace(path + ".tmp", path)
