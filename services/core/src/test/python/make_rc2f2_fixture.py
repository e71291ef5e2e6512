#!/usr/bin/env python3
"""Makes the TorchScript fixtures of services/core/src/test/resources/fixtures/rc2f2-mini/, for the
test of `advrank models convert` (EmbeddingModel.toNative):

- rc2f2.pt: robrank's rc2f2 layers as models/examples/export_rc2f2.py exports them (conv 32@5x5,
  ReLU, max-pool 2, conv 64@5x5, ReLU, max-pool 2, linear 1024, ReLU, linear), for 1x4x4 inputs and
  a 16-d embedding, so that the file is small; random weights;
- rc2f2-narrow.pt: the same shape at other widths (`export_rc2f2.py --filters 3,5 --hidden 7`), which
  the conversion reads from the module's shapes;
- c2f1-tanh.pt: the C2F1's layers and parameter shapes (1x4x4, 16-d) with a tanh after the last
  linear layer: every shape matches the C2F1, the function does not, and the conversion must refuse.

Needs Debian's python3-torch; seeded. From the repository root:

    /usr/bin/python3 services/core/src/test/python/make_rc2f2_fixture.py
"""
import pathlib
import sys

import torch
import torch.nn as nn

ROOT = pathlib.Path(__file__).resolve().parents[5]
OUT = ROOT / "services" / "core" / "src" / "test" / "resources" / "fixtures" / "rc2f2-mini"
sys.path.insert(0, str(ROOT / "models" / "examples"))
from export_rc2f2 import convolutions, rc2f2  # noqa: E402  (the layers the users' script exports)


def save(net, name):
    net.eval()
    torch.jit.trace(net, torch.rand(1, 1, 4, 4)).save(str(OUT / name))
    print(f"wrote {OUT / name}: {sum(p.numel() for p in net.parameters()):,} parameters")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    save(rc2f2(side=4, embedding=16), "rc2f2.pt")
    save(nn.Sequential(*convolutions(), nn.Linear(64, 16), nn.Tanh()), "c2f1-tanh.pt")
    save(rc2f2(side=4, embedding=16, filters=(3, 5), hidden=7), "rc2f2-narrow.pt")


if __name__ == "__main__":
    main()
