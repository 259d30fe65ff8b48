#!/usr/bin/python3
"""Reference outputs for @simclr/augment, made with torchvision.transforms.functional.

Run with Debian's python (torch 1.13, torchvision 0.14):

    /usr/bin/python3 tools/make_augment_fixtures.py && deno fmt augment/testdata

Writes augment/testdata/augment_fixtures.json (cases, parameters, offsets) and
augment/testdata/augment_fixtures.bin (float32 little-endian, NHWC images). Seeded and
deterministic.
"""

import json
import os

import numpy as np
import torch
import torchvision
import torchvision.transforms.functional as F

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "augment", "testdata")
torch.manual_seed(0)
rng = np.random.default_rng(1234)

blob = bytearray()


def put(array_nchw: torch.Tensor):
    """Stores an NCHW (or CHW batch) tensor as NHWC float32; returns [offset, shape]."""
    a = array_nchw.detach().to(torch.float32).numpy()
    a = np.ascontiguousarray(np.transpose(a, (0, 2, 3, 1))).astype("<f4")
    offset = len(blob) // 4
    blob.extend(a.tobytes())
    return {"offset": offset, "shape": list(a.shape)}


def make_images(n, h, w):
    """Random images with exact ties (grey pixels, repeated channel maxima) and extremes."""
    x = rng.integers(0, 256, size=(n, 3, h, w)).astype(np.float32) / 255.0
    # grey pixels (max == min) in a band
    x[:, 1, : h // 4, :] = x[:, 0, : h // 4, :]
    x[:, 2, : h // 4, :] = x[:, 0, : h // 4, :]
    # two equal maxima (r == g) in another band
    x[:, 1, h // 4 : h // 2, : w // 2] = x[:, 0, h // 4 : h // 2, : w // 2]
    # pure black and white pixels
    x[:, :, -1, 0] = 0.0
    x[:, :, -1, 1] = 1.0
    # continuous values elsewhere
    x[:, :, h // 2 : -1, :] = rng.random(size=(n, 3, h // 2 - 1, w)).astype(np.float32)
    return torch.from_numpy(x)


def per_sample(fn, images, params):
    return torch.stack([fn(images[i], p) for i, p in enumerate(params)], 0)


cases = {}
images_a = make_images(5, 12, 16)
ia = put(images_a)

factors = [0.0, 0.5, 1.0, 1.7, 2.5]
cases["adjustBrightness"] = {
    "input": ia,
    "factors": factors,
    "expected": put(per_sample(F.adjust_brightness, images_a, factors)),
}
factors = [0.0, 0.3, 1.0, 1.5, 3.0]
cases["adjustContrast"] = {
    "input": ia,
    "factors": factors,
    "expected": put(per_sample(F.adjust_contrast, images_a, factors)),
}
factors = [0.0, 0.5, 1.0, 1.5, 2.0]
cases["adjustSaturation"] = {
    "input": ia,
    "factors": factors,
    "expected": put(per_sample(F.adjust_saturation, images_a, factors)),
}
shifts = [-0.5, -0.1, 0.0, 0.1, 0.5]
cases["adjustHue"] = {
    "input": ia,
    "shifts": shifts,
    "expected": put(per_sample(F.adjust_hue, images_a, shifts)),
}
cases["rgbToGrayscale"] = {
    "input": ia,
    "expected": put(F.rgb_to_grayscale(images_a, num_output_channels=3)),
}
for k, sigmas in [(9, [0.1, 0.7, 2.0, 1.3, 0.45]), (3, [0.1, 0.5, 1.0, 2.0, 5.0])]:
    cases[f"gaussianBlur{k}"] = {
        "input": ia,
        "kernelSize": k,
        "sigmas": sigmas,
        "expected": put(
            per_sample(lambda im, s: F.gaussian_blur(im, [k, k], [s, s]), images_a, sigmas)
        ),
    }
flags = [True, False, True, True, False]
cases["horizontalFlip"] = {
    "input": ia,
    "flags": flags,
    "expected": put(per_sample(lambda im, f: F.hflip(im) if f else im, images_a, flags)),
}
mean, std = [0.5, 0.4, 0.3], [0.2, 0.5, 0.25]
cases["normalize"] = {
    "input": ia,
    "mean": mean,
    "std": std,
    "expected": put(F.normalize(images_a, mean, std)),
}

# crops: whole image downsampled, small crop upsampled, crops at each border, crop equal to the
# output, crops partly outside the image (zero padding as F.crop does)
boxes = [[0, 0, 12, 16], [0, 0, 5, 7], [7, 9, 5, 7], [2, 3, 6, 6], [-2, -3, 8, 9]]
for size in [[8, 8], [10, 10], [6, 6], [7, 11], [20, 20]]:
    name = f"resizedCrop{size[0]}x{size[1]}"
    out = per_sample(
        lambda im, b: F.resized_crop(im, b[0], b[1], b[2], b[3], size, antialias=False),
        images_a,
        boxes,
    )
    cases[name] = {"input": ia, "boxes": boxes, "size": size, "expected": put(out)}
boxes2 = [[9, 12, 6, 6], [0, 8, 12, 8], [11, 15, 1, 1], [0, 0, 12, 1], [3, 0, 4, 16]]
cases["resizedCropEdges"] = {
    "input": ia,
    "boxes": boxes2,
    "size": [9, 9],
    "expected": put(
        per_sample(
            lambda im, b: F.resized_crop(im, b[0], b[1], b[2], b[3], [9, 9], antialias=False),
            images_a,
            boxes2,
        )
    ),
}

# The whole tutorial pipeline with fixed parameters, composed from the functional ops in the
# order of contrast_transforms: flip, resized crop, colour jitter (random order), grayscale,
# blur, normalize((0.5,), (0.5,)).
images_b = make_images(6, 20, 24)
views = []
view_params = []
for i in range(6):
    g = torch.Generator().manual_seed(100 + i)
    box = list(torchvision.transforms.RandomResizedCrop.get_params(images_b[i], [0.08, 1.0], [3 / 4, 4 / 3]))
    flip = bool(i % 2 == 0)
    jitter = None
    if i != 3:
        order = torch.randperm(4, generator=g).tolist()
        jitter = {
            "order": order,
            "brightness": float(torch.empty(1).uniform_(0.5, 1.5, generator=g)),
            "contrast": float(torch.empty(1).uniform_(0.5, 1.5, generator=g)),
            "saturation": float(torch.empty(1).uniform_(0.5, 1.5, generator=g)),
            "hue": float(torch.empty(1).uniform_(-0.1, 0.1, generator=g)) if i != 5 else -0.5,
        }
    grayscale = i in (1, 4)
    sigma = [0.1, 0.8, 2.0, 1.2, 0.3, 1.7][i]
    img = images_b[i]
    if flip:
        img = F.hflip(img)
    img = F.resized_crop(img, box[0], box[1], box[2], box[3], [16, 16], antialias=False)
    if jitter is not None:
        for fn_id in jitter["order"]:
            if fn_id == 0:
                img = F.adjust_brightness(img, jitter["brightness"])
            elif fn_id == 1:
                img = F.adjust_contrast(img, jitter["contrast"])
            elif fn_id == 2:
                img = F.adjust_saturation(img, jitter["saturation"])
            else:
                img = F.adjust_hue(img, jitter["hue"])
    if grayscale:
        img = F.rgb_to_grayscale(img, num_output_channels=3)
    img = F.gaussian_blur(img, [9, 9], [sigma, sigma])
    img = F.normalize(img, [0.5], [0.5])
    views.append(img)
    view_params.append(
        {"flip": flip, "box": box, "jitter": jitter, "grayscale": grayscale, "sigma": sigma}
    )
cases["pipeline"] = {
    "input": put(images_b),
    "size": 16,
    "kernelSize": 9,
    "params": view_params,
    "expected": put(torch.stack(views, 0)),
}


# Antialiased resized crops (torchvision's antialias=True on tensors, PIL's filter): the same
# boxes, shrinking by up to 4 (whole image to 3x4), upsampling (where antialias changes
# nothing) and boxes partly outside the image.
for size in [[8, 8], [6, 6], [3, 4], [7, 11], [20, 20]]:
    out = per_sample(
        lambda im, b: F.resized_crop(im, b[0], b[1], b[2], b[3], size, antialias=True),
        images_a,
        boxes,
    )
    cases[f"resizedCropAntialias{size[0]}x{size[1]}"] = {
        "input": ia, "boxes": boxes, "size": size, "expected": put(out)
    }
cases["resizedCropAntialiasEdges"] = {
    "input": ia,
    "boxes": boxes2,
    "size": [5, 4],
    "expected": put(
        per_sample(
            lambda im, b: F.resized_crop(im, b[0], b[1], b[2], b[3], [5, 4], antialias=True),
            images_a,
            boxes2,
        )
    ),
}

# The tutorial's path on PIL images: hflip, then resized_crop on an 8-bit PIL image (PIL's
# bilinear resize, antialiased, rounding to 8 bits after each of its two passes), with fixed
# boxes; 8-bit input images, outputs as ToTensor gives them (value / 255).
from PIL import Image  # noqa: E402

pil_images = torch.from_numpy(rng.integers(0, 256, size=(4, 3, 24, 30)).astype(np.float32) / 255)
pil_images[:, :, 8:16, :] = torch.linspace(0, 1, 30)  # a smooth ramp beside the noise
pil_images = torch.round(pil_images * 255) / 255
pil_cases = {
    "8x10": ([[0, 0, 24, 30], [3, 5, 17, 11], [10, 2, 14, 27], [0, 0, 24, 30]], [False, True, False, True]),
    "5x5": ([[0, 0, 24, 30], [4, 9, 16, 16], [1, 1, 22, 5], [7, 0, 3, 30]], [True, False, True, False]),
    "9x13": ([[2, 2, 5, 5], [0, 0, 24, 30], [5, 8, 9, 20], [0, 17, 24, 13]], [False, False, True, True]),
}


def pil_view(im, box, flip, size):
    img = F.to_pil_image(im)
    if flip:
        img = F.hflip(img)
    img = F.resized_crop(img, box[0], box[1], box[2], box[3], size)  # bilinear on PIL
    return F.to_tensor(img)


pil_input = put(pil_images)
for name, (pboxes, flips) in pil_cases.items():
    size = [int(v) for v in name.split("x")]
    cases[f"pilResizedCrop{name}"] = {
        "input": pil_input,
        "boxes": pboxes,
        "flips": flips,
        "size": size,
        "expected": put(
            torch.stack([pil_view(pil_images[i], b, f, size) for i, (b, f) in enumerate(zip(pboxes, flips))])
        ),
    }


# Statistics of RandomResizedCrop.get_params over many draws, for the sampler's tests.
def crop_stats(height, width, scale, ratio, draws=20000):
    torch.manual_seed(7)
    img = torch.zeros(3, height, width)
    boxes = np.array(
        [torchvision.transforms.RandomResizedCrop.get_params(img, scale, ratio) for _ in range(draws)],
        dtype=np.float64,
    )
    top, left, h, w = boxes.T
    area = h * w / (height * width)
    return {
        "height": height,
        "width": width,
        "scale": list(scale),
        "ratio": list(ratio),
        "draws": draws,
        "mean": {"top": top.mean(), "left": left.mean(), "height": h.mean(), "width": w.mean(), "area": area.mean()},
        "std": {"top": top.std(), "left": left.std(), "height": h.std(), "width": w.std(), "area": area.std()},
        "areaQuartiles": list(np.quantile(area, [0.25, 0.5, 0.75])),
        "logAspectMean": float(np.log(w / h).mean()),
        "fullImageRate": float(((h == height) & (w == width)).mean()),
    }


cases["cropStats"] = [
    crop_stats(96, 96, (0.08, 1.0), (3 / 4, 4 / 3)),
    crop_stats(96, 96, (0.8, 1.0), (3 / 4, 4 / 3)),
    crop_stats(20, 60, (0.5, 1.0), (3 / 4, 4 / 3)),
]

os.makedirs(OUT_DIR, exist_ok=True)
meta = {
    "generator": "tools/make_augment_fixtures.py",
    "torch": torch.__version__,
    "torchvision": torchvision.__version__,
    "layout": "float32 little-endian NHWC; offset and shape in elements",
    "cases": cases,
}
for name, data in [("augment_fixtures.bin", bytes(blob)), ("augment_fixtures.json", None)]:
    path = os.path.join(OUT_DIR, name)
    tmp = path + ".tmp"
    if data is None:
        with open(tmp, "w") as f:
            json.dump(meta, f, indent=1)
            f.write("\n")
    else:
        with open(tmp, "wb") as f:
            f.write(data)
    os.replace(tmp, path)
print(f"{len(cases)} cases, {len(blob)} bytes")
