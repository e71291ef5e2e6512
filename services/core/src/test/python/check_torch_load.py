#!/usr/bin/env python3
"""Checks that plain PyTorch loads a model advrank hardened, and embeds as advrank does.

core's ScriptedModelTest fine-tunes the RGB fixture's TorchScript model with EST and leaves the
result in services/core/target/hardened-rgb-mini/: model.pt and manifest.json as advrank saves
them, and advrank-embeddings.json with a batch of photos and advrank's embeddings of them. This
script loads model.pt with torch.jit.load (what a team's own search service would do), applies the
manifest's mean/std and advrank's L2 normalisation, and compares. CI runs it after the tests
(.ci/run); by hand, with Debian's python3-torch:

    /usr/bin/python3 services/core/src/test/python/check_torch_load.py services/core/target/hardened-rgb-mini

Bound: 1e-4 per component, as for the fixture's reference embeddings (another BLAS, other
summation orders: float32 rounding of sums over a few thousand terms stays near 1e-6).
"""
import json
import pathlib
import sys

import torch

BOUND = 1e-4


def main():
    folder = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "services/core/target/hardened-rgb-mini")
    manifest = json.loads((folder / "manifest.json").read_text())
    spec = manifest["spec"]
    ours = json.loads((folder / "advrank-embeddings.json").read_text())
    module = torch.jit.load(str(folder / "model.pt"))
    module.eval()
    x = torch.tensor(ours["pixels"], dtype=torch.float32).view(*ours["shape"])
    mean = torch.tensor(spec["mean"]).view(1, -1, 1, 1)
    std = torch.tensor(spec["std"]).view(1, -1, 1, 1)
    with torch.no_grad():
        raw = module((x - mean) / std)
    theirs = torch.nn.functional.normalize(raw, dim=1)
    expected = torch.tensor(ours["embeddings"], dtype=torch.float32).view_as(theirs)
    worst = (theirs - expected).abs().max().item()
    print(f"torch {torch.__version__} loaded {folder / 'model.pt'} ({manifest['version']}, "
          f"{manifest['training'].get('defense', 'trained')}): {theirs.shape[0]} photos, "
          f"largest difference from advrank's embeddings {worst:.2e} (bound {BOUND:g})")
    if not worst <= BOUND:
        sys.exit("FAIL: PyTorch's embeddings of the hardened model differ from advrank's")


if __name__ == "__main__":
    main()
