package io.advrank.ranker;

import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.core.model.ModelSpec;

/**
 * Feature squeezing carried over to ranking (Xu et al., NDSS 2018): the consistency score of an
 * image x is d(f(x), f(squeeze(x))) = 1 − ⟨f(x), f(squeeze(x))⟩ with squeeze = bit-depth reduction
 * to {@value #BITS} bits (16 grey levels). Squeezing rounds away most of a small adversarial
 * perturbation, so an attacked image's embedding moves far, whereas a clean image's barely moves.
 * Higher is more suspicious.
 *
 * <p>Why 4 bits: on the shipped model ({@code ./advrank bench detect}, seed 0) it separated clean
 * from attacked images best at ε ≤ 0.1 (ROC-AUC 0.99–1.0 for SP-QA± and CA±), where a 2×2 median
 * filter reached 0.65–0.97 and 3 bits 0.97–0.99; at ε = 0.3 more of the perturbation survives the
 * rounding and the median filter does slightly better. 1 bit destroys Fashion-MNIST images (BRIEF
 * §7).
 */
public final class FeatureSqueeze {
  static final int BITS = 4;

  private final int channels;
  private final int height;
  private final int width;

  /** The squeezer for the input images of {@code spec}. */
  public static FeatureSqueeze of(ModelSpec spec) {
    return new FeatureSqueeze(spec.channels(), spec.height(), spec.width());
  }

  FeatureSqueeze(int channels, int height, int width) {
    if (channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException(
          "image shape must be positive, got %dx%dx%d".formatted(channels, height, width));
    }
    this.channels = channels;
    this.height = height;
    this.width = width;
  }

  /**
   * The consistency score of each of {@code count} images, given their embeddings (computed by the
   * caller for ranking anyway): one extra embed call for the squeezed batch.
   */
  public float[] scores(EmbeddingModel model, float[] pixels, int count, Embeddings embedded) {
    if (pixels.length != count * channels * height * width) {
      throw new IllegalArgumentException(
          "pixels: %d values are not %d images of %dx%dx%d"
              .formatted(pixels.length, count, channels, height, width));
    }
    Embeddings squeezed = model.embed(reduceBitDepth(pixels), count);
    float[] scores = new float[count];
    for (int i = 0; i < count; i++) {
      scores[i] = (float) (1 - dot(embedded.row(i), squeezed.row(i)));
    }
    return scores;
  }

  /** Every value rounded to the nearest of 2^{@value #BITS} evenly spaced levels in [0, 1]. */
  static float[] reduceBitDepth(float[] pixels) {
    float levels = (1 << BITS) - 1;
    float[] out = new float[pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      out[i] = Math.round(Math.min(1f, Math.max(0f, pixels[i])) * levels) / levels;
    }
    return out;
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }
}
