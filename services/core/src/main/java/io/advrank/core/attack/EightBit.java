package io.advrank.core.attack;

/**
 * Quantises an adversarial image to 8 bits without leaving the ε-ball ({@link PixelDepth#UINT8}).
 *
 * <p>Rounding x̃ to the nearest k/255 alone can step outside the ball: with ε = 0.03 (7.65 steps) a
 * value 7.6 steps from the clean one rounds to 8 steps, 0.35/255 past ε. So each value is rounded
 * and then clipped to the grid points inside the ball, [⌈255(x₀ − ε)⌉, ⌊255(x₀ + ε)⌋] ∩ [0, 255];
 * for a clean value on the grid (every 8-bit photo) that is k₀ ± ⌊255·ε⌋.
 *
 * <p>What it costs the attack (CA+ w=1, mean rank percentile, float → 8-bit; docs/photos.md has the
 * commands): on Fashion-MNIST (1000 attacks, gallery 10k) ε 0.01 41.98 → 43.62 %, ε 0.03 28.53 →
 * 29.87 %, ε 0.1 8.09 → 8.34 %, ε 0.3 1.81 → 1.83 %; on the RGB fixture ε 0.03 1.31 → 1.45 %. With
 * α = 1/255 (ε ≤ 0.0255, and robrank's rob224) PGD's iterates are already on the grid and only the
 * projection onto a fractional ε leaves it, so ε = 8/255 loses nothing (27.34 % both ways); the
 * cost is largest where ε is a small number of steps plus a fraction (0.01 = 2.55 steps).
 */
final class EightBit {
  /** Tolerance in grid steps for float rounding, e.g. 255 · (float) (8/255) = 7.9999995. */
  private static final double TOLERANCE = 1e-4;

  private EightBit() {}

  /** x̃ quantised to k/255 with |k − 255·x₀| ≤ 255·ε wherever the grid allows it. */
  static float[] quantise(float[] adversarial, float[] clean, double epsilon) {
    float[] out = new float[adversarial.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = step(adversarial[i], clean[i], epsilon) / 255f;
    }
    return out;
  }

  /** The 8-bit value k of one pixel. */
  static int step(float adversarial, float clean, double epsilon) {
    double k0 = 255.0 * clean;
    double onGrid = Math.rint(k0);
    if (Math.abs(k0 - onGrid) < TOLERANCE) {
      k0 = onGrid; // float pixels of an 8-bit image: k/255 read back exactly
    }
    int lo = (int) Math.max(0, Math.ceil(k0 - 255.0 * epsilon - TOLERANCE));
    int hi = (int) Math.min(255, Math.floor(k0 + 255.0 * epsilon + TOLERANCE));
    if (lo > hi) {
      // A clean value off the grid with ε under one step: no grid point lies within ε of it.
      lo = hi = (int) Math.max(0, Math.min(255, Math.rint(k0)));
    }
    int k = (int) Math.rint(255.0 * adversarial);
    return Math.max(lo, Math.min(hi, k));
  }
}
