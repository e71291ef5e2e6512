#!/usr/bin/env python3
"""Makes the RGB fixture of services/core/src/test/resources/fixtures/rgb-mini/.

A stand-in for a marketplace's own search model and catalog, small enough to commit:

- images/{train,test}/<class>/*.png: RGB product photos of varying size and aspect ratio, made from
  the committed Fashion-MNIST mini fixture: each garment is tinted with a colour and laid on a
  white, a textured or a dark background, then scaled to 36-64 px per side;
- model.pt: a TorchScript embedding network (conv-BN-ReLU x3, 64-d output, not normalised) for
  3x32x32 inputs normalised with ImageNet's mean and std, trained for a few epochs on the train
  split (cross-entropy through a linear head that is not exported);
- reference.json: a probe input and the embeddings PyTorch computes for it, so that a Java test
  can check advrank runs the module as PyTorch does, without Python;
- bad/*.pt: tiny TorchScript modules `advrank models import` must refuse, one per reason: two
  outputs, one output per pixel instead of per image, NaN outputs, no gradient to the input.

Needs Debian's python3-torch (1.13) and python3-pil; everything is seeded, so a rerun writes the
same images (the weights may differ in the last bits across CPUs). From the repository root:

    /usr/bin/python3 services/core/src/test/python/make_rgb_fixture.py
"""
import gzip
import json
import pathlib
import random
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

ROOT = pathlib.Path(__file__).resolve().parents[1] / "resources" / "fixtures"
SOURCE = ROOT / "fashion-mnist-mini"
OUT = ROOT / "rgb-mini"
CLASSES = ["tshirt", "trouser", "pullover", "dress", "coat",
           "sandal", "shirt", "sneaker", "bag", "boot"]
PER_CLASS = {"train": 24, "test": 12}  # photos committed
TRAIN_PER_CLASS = 200  # photos the model is trained on (made the same way, not committed)
SIDE = 32
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack(">I", data[:4])[0]
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data[4 + 4 * dims:], dtype=np.uint8).reshape(shape)


def background(kind, rng):
    if kind == "white":
        return np.full((28, 28, 3), 245 + rng.integers(0, 10), dtype=np.float32)
    if kind == "dark":
        return np.full((28, 28, 3), rng.integers(0, 20), dtype=np.float32)
    # Textured: a colour gradient with fabric-like noise.
    base = rng.integers(90, 200, size=3).astype(np.float32)
    ramp = np.linspace(-30, 30, 28, dtype=np.float32)[None, :, None]
    noise = rng.normal(0, 12, size=(28, 28, 1)).astype(np.float32)
    return np.clip(base + ramp + noise, 0, 255)


def photo(grey, rng, kind=None):
    mask = grey.astype(np.float32)[:, :, None] / 255.0
    colour = rng.integers(30, 255, size=3).astype(np.float32)
    if kind is None:
        kind = ["white", "textured", "dark"][rng.integers(0, 3)]
    rgb = background(kind, rng) * (1 - mask) + colour * mask
    h, w = int(rng.integers(36, 65)), int(rng.integers(36, 65))
    image = Image.fromarray(rgb.astype(np.uint8), "RGB")
    return image.resize((w, h), Image.BILINEAR)


def preprocess(image):
    """Shorter side to SIDE, centre crop, [0,1] pixels (what advrank does to a photo)."""
    w, h = image.size
    scale = SIDE / min(w, h)
    image = image.resize((max(SIDE, round(w * scale)), max(SIDE, round(h * scale))),
                         Image.BILINEAR)
    w, h = image.size
    left, top = (w - SIDE) // 2, (h - SIDE) // 2
    image = image.crop((left, top, left + SIDE, top + SIDE))
    return torch.from_numpy(np.asarray(image, dtype=np.float32) / 255.0).permute(2, 0, 1)


class Embedder(nn.Module):
    def __init__(self, dim=64):
        super().__init__()
        self.register_buffer("mean", torch.tensor(MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(STD).view(1, 3, 1, 1))
        layers = []
        channels = 3
        for width in (16, 32, 64):
            layers += [nn.Conv2d(channels, width, 3, padding=1), nn.BatchNorm2d(width),
                       nn.ReLU(), nn.MaxPool2d(2)]
            channels = width
        self.features = nn.Sequential(*layers)
        self.embed = nn.Linear(64 * 4 * 4, dim)

    def forward(self, x):
        # The module takes normalised input, as users' models do; advrank applies --mean/--std.
        return self.embed(self.features(x).flatten(1))


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    random.seed(0)
    tensors = {}
    for split, prefix in (("train", "train"), ("test", "t10k")):
        images = idx(SOURCE / f"{prefix}-images-idx3-ubyte.gz")
        labels = idx(SOURCE / f"{prefix}-labels-idx1-ubyte.gz")
        xs, ys = [], []
        for label, name in enumerate(CLASSES):
            folder = OUT / "images" / split / f"{label}-{name}"
            folder.mkdir(parents=True, exist_ok=True)
            count = TRAIN_PER_CLASS if split == "train" else PER_CLASS[split]
            for n, i in enumerate(np.flatnonzero(labels == label)[:count]):
                image = photo(images[i], rng)
                if n < PER_CLASS[split]:
                    image.save(folder / f"{n:03d}.png", optimize=True)
                xs.append(preprocess(image))
                ys.append(label)
        tensors[split] = (torch.stack(xs), torch.tensor(ys))

    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    model = Embedder()
    head = nn.Linear(64, len(CLASSES))
    optimiser = torch.optim.Adam(list(model.parameters()) + list(head.parameters()), lr=3e-3)
    x, y = tensors["train"]
    for epoch in range(12):
        order = torch.randperm(len(y))
        for start in range(0, len(y), 32):
            batch = order[start:start + 32]
            loss = F.cross_entropy(head(model((x[batch] - mean) / std)), y[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    model.eval()

    with torch.no_grad():
        tx, ty = tensors["test"]
        e = F.normalize(model((tx - mean) / std), dim=1)
        d = 1 - e @ e.T
        d.fill_diagonal_(float("inf"))
        r1 = (ty[d.argmin(dim=1)] == ty).float().mean().item()
    print(f"leave-one-out R@1 on the {len(ty)} test photos: {r1:.3f}")

    traced = torch.jit.trace(model, torch.zeros(1, 3, SIDE, SIDE))
    traced.save(str(OUT / "model.pt"))

    probe = torch.arange(2 * 3 * SIDE * SIDE, dtype=torch.float32).remainder(255).div(255)
    probe = probe.view(2, 3, SIDE, SIDE)
    with torch.no_grad():
        out = torch.jit.load(str(OUT / "model.pt"))((probe - mean) / std)
    (OUT / "reference.json").write_text(json.dumps({
        "probe": "pixel i of the flattened (2, 3, 32, 32) batch is (i mod 255) / 255",
        "mean": MEAN, "std": STD, "torch": torch.__version__,
        "raw_output": [[round(v, 7) for v in row] for row in out.tolist()],
        "r_at_1_test": round(r1, 4),
    }, indent=1) + "\n")
    write_bad_modules()


class TupleOutput(nn.Module):
    def forward(self, x):
        e = x.flatten(1)[:, :8]
        return e, e


class PerPixelOutput(nn.Module):
    def forward(self, x):
        return x * 2


class NanOutput(nn.Module):
    def forward(self, x):
        return x.flatten(1)[:, :8] * float("nan")


class Detached(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Linear(16, 8)

    def forward(self, x):
        return self.embed(x.detach().flatten(1)[:, :16])


def write_bad_modules():
    bad = OUT / "bad"
    bad.mkdir(parents=True, exist_ok=True)
    example = torch.zeros(1, 3, SIDE, SIDE)
    for name, module in (("tuple-output", TupleOutput()), ("per-pixel-output", PerPixelOutput()),
                         ("nan-output", NanOutput()), ("detached", Detached())):
        torch.jit.trace(module.eval(), example).save(str(bad / f"{name}.pt"))


if __name__ == "__main__":
    main()
