package io.advrank.core.attack;

/**
 * The outcome of attacking one item.
 *
 * <p>Rank percentile (docs/method.md, in %): for CA, the mean over the queries q of |{x ∈ X : d(q,
 * x) < d(q, c̃)}| / |X|; for QA, the mean over the targets c of c's 0-based rank in the ranking of
 * X by d(q̃, ·), over |X|. X is the whole gallery, including the attacked item's clean copy. NaN
 * for ES.
 *
 * @param perturbed the adversarial image x̃ as delivered (8-bit values k/255 for {@link
 *     PixelDepth#UINT8}), same layout as the request's pixels
 * @param rankBefore rank percentile (%) of the clean item
 * @param rankAfter rank percentile (%) of the perturbed item
 * @param embeddingShift d(f(x̃), f(x)) = 1 − ⟨f(x̃), f(x)⟩
 * @param linf ‖x̃ − x‖∞: never above the float value of ε for {@link PixelDepth#FLOAT32}; for
 *     {@link PixelDepth#UINT8} at most ⌊255·ε⌋/255 up to the float rounding of k/255 (≈ 1e-8)
 * @param success the rank moved in the attack's direction (ES: the embedding moved)
 * @param rankAfterFloat rank percentile (%) PGD's float output reached before quantisation; equal
 *     to {@code rankAfter} for {@link PixelDepth#FLOAT32}
 */
public record AttackResult(
    float[] perturbed,
    double rankBefore,
    double rankAfter,
    double embeddingShift,
    double linf,
    boolean success,
    double rankAfterFloat) {

  /** The result of an attack measured on its float output ({@link PixelDepth#FLOAT32}). */
  public AttackResult(
      float[] perturbed,
      double rankBefore,
      double rankAfter,
      double embeddingShift,
      double linf,
      boolean success) {
    this(perturbed, rankBefore, rankAfter, embeddingShift, linf, success, rankAfter);
  }
}
