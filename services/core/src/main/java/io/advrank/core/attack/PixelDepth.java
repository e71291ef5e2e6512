package io.advrank.core.attack;

/**
 * How an adversarial image leaves the attacker, and so which image its rank shift is measured on.
 */
public enum PixelDepth {
  /**
   * PGD's float output as it is: the paper's protocol, and the upper bound of what the attack can
   * do.
   */
  FLOAT32,
  /**
   * Quantised to 8 bits per value, as a seller's uploaded file or a camera frame would be: each
   * value rounded to the nearest k/255 and then clipped to the ε-ball on the 8-bit grid, so that |k
   * − k₀| ≤ ⌊255·ε⌋ steps of the clean value k₀; the rank shift is measured on the quantised image.
   */
  UINT8
}
