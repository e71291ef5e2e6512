#!/usr/bin/env python3
"""The anchor advrank's GPU figures are read against: CA+ (w = 1, robrank's rob224: eps 8/255,
alpha 1/255, 32 steps) on a ResNet-18 with a 512-d L2-normalised head at 3xSIZExSIZE, written the
way a PyTorch user would, fully batched, on one CUDA device, with random weights (speed does not
depend on them). Prints image-steps/s per batch size. The same workload as the batched PyTorch loop of docs/method.md §7
(models/examples/torch_ca_plus.py --resnet18), moved to the GPU.

    python3 deploy/gpu/torch_ca_plus.py [SIZE] [GALLERY] [BATCHES]
"""
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

size = int(sys.argv[1]) if len(sys.argv) > 1 else 224
gallery_n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
batches = [int(b) for b in (sys.argv[3] if len(sys.argv) > 3 else "1,8,32").split(",")]
dev = torch.device("cuda")
torch.manual_seed(0)
net = torchvision.models.resnet18(weights=None)
net.fc = nn.Linear(512, 512)
net = net.eval().to(dev)
for p in net.parameters():
    p.requires_grad_(False)
mean = torch.tensor([0.485, 0.456, 0.406], device=dev).view(1, 3, 1, 1)
std = torch.tensor([0.229, 0.224, 0.225], device=dev).view(1, 3, 1, 1)


def f(x):
    return F.normalize(net((x - mean) / std), dim=1)


eps, alpha, steps = 8 / 255, 1 / 255, 32
with torch.no_grad():
    gallery = torch.cat([f(torch.rand(min(256, gallery_n - i), 3, size, size, device=dev))
                         for i in range(0, gallery_n, 256)])


def ca_plus(c, q):
    dqx = 1 - q @ gallery.T
    x0 = c.clone()
    x = c.clone()
    for _ in range(steps):
        x.requires_grad_(True)
        dqc = 1 - (f(x) * q).sum(1, keepdim=True)
        (g,) = torch.autograd.grad(F.relu(dqc - dqx).mean(), x)
        with torch.no_grad():
            x = torch.min(torch.max(x - alpha * g.sign(), x0 - eps), x0 + eps).clamp(0, 1)
    return x.detach()


print(f"torch {torch.__version__} {torch.cuda.get_device_name()} gallery={gallery_n} steps={steps}")
for b in batches:  # the network alone, as advrank's DeviceCheck measures it
    x = torch.rand(b, 3, size, size, device=dev)
    direction = torch.randn(b, 512, device=dev)
    for timed in (False, True):
        torch.cuda.synchronize()
        t = time.perf_counter()
        for _ in range(10):
            with torch.no_grad():
                f(x)
        torch.cuda.synchronize()
        fwd = 10 * b / (time.perf_counter() - t)
        t = time.perf_counter()
        for _ in range(10):
            xg = x.clone().requires_grad_(True)
            (g,) = torch.autograd.grad((f(xg) * direction).sum(), xg)
        torch.cuda.synchronize()
        both = 10 * b / (time.perf_counter() - t)
    print(f"torch_network_batch_{b}: forward {fwd:.1f} images/s, forward+backward {both:.1f} images/s")
for b in batches:
    c = torch.rand(b, 3, size, size, device=dev)
    with torch.no_grad():
        q = f(torch.rand(b, 3, size, size, device=dev))
    ca_plus(c, q)
    torch.cuda.synchronize()
    reps = max(2, 32 // b)
    t = time.perf_counter()
    for _ in range(reps):
        ca_plus(c, q)
    torch.cuda.synchronize()
    dt = (time.perf_counter() - t) / reps
    print(f"torch_ca_plus_rob224_batch_{b}: {b / dt:.2f} attacks/s, {b * steps / dt:.1f} image-steps/s")
