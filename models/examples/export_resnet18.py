#!/usr/bin/env python3
"""Exports a ResNet-18 embedding network as TorchScript, the way a marketplace team would export
its own search model for `advrank models import`:

    /usr/bin/python3 models/examples/export_resnet18.py /tmp/resnet18.pt [SIZE]
    ./advrank models import /tmp/resnet18.pt --input 3x224x224 \
        --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225 --out models/resnet18

torchvision's resnet18(weights=None) (random weights: nothing is downloaded) with its classifier
replaced by a 512-d linear embedding head, as in ../shared/bench/torch_ca_plus.py --resnet18, so
`advrank bench attack --model models/resnet18 --profile rob224` runs the same network as that loop.
The module takes ImageNet-normalised input and returns raw embeddings; advrank normalises the
pixels and the embeddings itself. Needs Debian's python3-torch and python3-torchvision.
"""
import sys

import torch
import torch.nn as nn
import torchvision


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "resnet18.pt"
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 224
    torch.manual_seed(0)
    net = torchvision.models.resnet18(weights=None)
    net.fc = nn.Linear(512, 512)
    net.eval()  # traced in eval mode: batch norm uses its running statistics
    traced = torch.jit.trace(net, torch.rand(1, 3, size, size))
    traced.save(out)
    params = sum(p.numel() for p in net.parameters())
    print(f"wrote {out}: resnet18 + 512-d head, {params:,} parameters, input 3x{size}x{size}")


if __name__ == "__main__":
    main()
