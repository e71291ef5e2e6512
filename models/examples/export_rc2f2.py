#!/usr/bin/env python3
"""Exports robrank's 28-px ranking network, `rc2f2`, with fresh random weights as TorchScript, so
advrank can train it from scratch as robrank does (issue 22: robrank's ACT and EST rows on
Fashion-MNIST were trained on this network, not on the paper's C2F1):

    /usr/bin/python3 models/examples/export_rc2f2.py /tmp/rc2f2.pt [SEED] [--filters C1,C2] [--hidden H]
    ./advrank models import /tmp/rc2f2.pt --input 1x28x28 --out /tmp/rc2f2
    ./advrank train --defense act --from /tmp/rc2f2 --epochs 8 --batch-size 256 --margin 0.2 ...

The layers are robrank's `MetricTemplate28` with backbone 'rc2f2' (robrank/models/template_rank.py):
conv 32@5x5 (padding 2), ReLU, max-pool 2, conv 64@5x5 (padding 2), ReLU, max-pool 2, linear
3136 -> 1024, ReLU, linear 1024 -> 512. That is the paper's C2F1 plus a ReLU and a 512-d head;
PyTorch's default initialisation, as robrank's. The module returns raw embeddings on [0, 1] pixels;
advrank normalises the embeddings itself. Needs Debian's python3-torch.

--filters and --hidden export a wider or narrower network of the same shape (default 32,64 and
1024, robrank's); `advrank models convert --to rc2f2` reads those widths from the module.
"""
import argparse

import torch
import torch.nn as nn


def convolutions(filters=(32, 64)):
    """The C2F1's layers up to the flattened feature map, shared with the C2F1-shaped test fixture."""
    return [
        nn.Conv2d(1, filters[0], kernel_size=5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Conv2d(filters[0], filters[1], kernel_size=5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
    ]


def rc2f2(side=28, embedding=512, filters=(32, 64), hidden=1024):
    """robrank's rc2f2 for side x side greyscale inputs (a multiple of 4), PyTorch's default init."""
    return nn.Sequential(
        *convolutions(filters),
        nn.Linear(filters[1] * (side // 4) ** 2, hidden),
        nn.ReLU(),
        nn.Linear(hidden, embedding),
    )


def filter_pair(text):
    """'C1,C2' as two positive filter counts."""
    parts = text.split(",")
    if len(parts) != 2 or not all(p.strip().isdigit() and int(p) > 0 for p in parts):
        raise argparse.ArgumentTypeError(f"expected two positive counts C1,C2, got '{text}'")
    return int(parts[0]), int(parts[1])


def main():
    parser = argparse.ArgumentParser(description="Export robrank's rc2f2 with fresh weights.")
    parser.add_argument("out", nargs="?", default="rc2f2.pt", help="TorchScript file to write")
    parser.add_argument("seed", nargs="?", type=int, default=0, help="torch seed (default 0)")
    parser.add_argument("--filters", type=filter_pair, default=(32, 64),
                        help="filters of the two convolutions (default 32,64)")
    parser.add_argument("--hidden", type=int, default=1024,
                        help="units of the hidden linear layer (default 1024)")
    args = parser.parse_args()
    if args.hidden <= 0:
        parser.error(f"--hidden: must be > 0, was {args.hidden}")
    torch.manual_seed(args.seed)
    net = rc2f2(filters=args.filters, hidden=args.hidden)
    net.eval()
    traced = torch.jit.trace(net, torch.rand(1, 1, 28, 28))
    traced.save(args.out)
    params = sum(p.numel() for p in net.parameters())
    shape = "robrank's rc2f2" if (args.filters, args.hidden) == ((32, 64), 1024) else (
        f"rc2f2's shape with filters {args.filters[0]},{args.filters[1]} and hidden {args.hidden}")
    print(f"wrote {args.out}: {shape}, {params:,} parameters, 512-d, input 1x28x28, seed {args.seed}")


if __name__ == "__main__":
    main()
