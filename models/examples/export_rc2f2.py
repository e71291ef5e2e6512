#!/usr/bin/env python3
"""Exports robrank's 28-px ranking network, `rc2f2`, with fresh random weights as TorchScript, so
advrank can train it from scratch as robrank does (issue 22: robrank's ACT and EST rows on
Fashion-MNIST were trained on this network, not on the paper's C2F1):

    /usr/bin/python3 models/examples/export_rc2f2.py /tmp/rc2f2.pt [SEED]
    ./advrank models import /tmp/rc2f2.pt --input 1x28x28 --out /tmp/rc2f2
    ./advrank train --defense act --from /tmp/rc2f2 --epochs 8 --batch-size 256 --margin 0.2 ...

The layers are robrank's `MetricTemplate28` with backbone 'rc2f2' (robrank/models/template_rank.py):
conv 32@5x5 (padding 2), ReLU, max-pool 2, conv 64@5x5 (padding 2), ReLU, max-pool 2, linear
3136 -> 1024, ReLU, linear 1024 -> 512. That is the paper's C2F1 plus a ReLU and a 512-d head;
PyTorch's default initialisation, as robrank's. The module returns raw embeddings on [0, 1] pixels;
advrank normalises the embeddings itself. Needs Debian's python3-torch.
"""
import sys

import torch
import torch.nn as nn


def convolutions():
    """The C2F1's layers up to the flattened feature map, shared with the C2F1-shaped test fixture."""
    return [
        nn.Conv2d(1, 32, kernel_size=5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Conv2d(32, 64, kernel_size=5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
    ]


def rc2f2(side=28, embedding=512):
    """robrank's rc2f2 for side x side greyscale inputs (a multiple of 4), PyTorch's default init."""
    return nn.Sequential(
        *convolutions(),
        nn.Linear(64 * (side // 4) ** 2, 1024),
        nn.ReLU(),
        nn.Linear(1024, embedding),
    )


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "rc2f2.pt"
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    torch.manual_seed(seed)
    net = rc2f2()
    net.eval()
    traced = torch.jit.trace(net, torch.rand(1, 1, 28, 28))
    traced.save(out)
    params = sum(p.numel() for p in net.parameters())
    print(f"wrote {out}: robrank's rc2f2, {params:,} parameters, 512-d, input 1x28x28, seed {seed}")


if __name__ == "__main__":
    main()
