#!/usr/bin/env python3
"""Writes a larger set of RGB test photos, made as the committed rgb-mini fixture's are, for
measurements that need more than the fixture's 120 test photos (e.g. `advrank bench detect` on
the fixture's model). Not committed; from the repository root:

    /usr/bin/python3 services/core/src/test/python/make_rgb_photos.py /tmp/rgb-photos [BACKGROUND [VARIANTS]]

writes /tmp/rgb-photos/test/<label>/NNN.png: every Fashion-MNIST-mini test image (100 per class)
tinted and laid on a white, a textured or a dark background (a third each, or all on BACKGROUND:
white, textured or dark), 36-64 px per side; VARIANTS (default 1) photos of each garment, each
with its own tint, background and size (the same product photographed again).
Seeded (1, unlike the fixture's 0). Needs what make_rgb_fixture.py needs (it imports it).
"""
import pathlib
import sys

import numpy as np

from make_rgb_fixture import CLASSES, SOURCE, idx, photo


def main():
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "rgb-photos")
    kind = sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] != "mixed" else None
    variants = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    if kind not in (None, "white", "textured", "dark"):
        sys.exit(f"BACKGROUND: '{kind}' is not mixed, white, textured or dark")
    rng = np.random.default_rng(1)
    images = idx(SOURCE / "t10k-images-idx3-ubyte.gz")
    labels = idx(SOURCE / "t10k-labels-idx1-ubyte.gz")
    written = 0
    for label, name in enumerate(CLASSES):
        folder = out / "test" / f"{label}-{name}"
        folder.mkdir(parents=True, exist_ok=True)
        for n, i in enumerate(np.flatnonzero(labels == label)):
            for v in range(variants):
                photo(images[i], rng, kind).save(folder / f"{n:03d}-{v}.png")
                written += 1
    print(f"wrote {written} photos under {out}/test")


if __name__ == "__main__":
    main()
