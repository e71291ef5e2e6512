package io.advrank.ranker;

import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.core.model.ModelSpec;

/**
 * Feature squeezing carried over to ranking (Xu et al., NDSS 2018): the consistency score of an
 * image x is d(f(x), f(squeeze(x))) = 1 − ⟨f(x), f(squeeze(x))⟩ with squeeze = a 2×2 median filter.
 * An adversarial perturbation is fragile: smoothing undoes much of it and the embedding moves far,
 * whereas a clean image's embedding barely moves. Higher is more suspicious.
 */
public final class FeatureSqueeze {
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
    Embeddings squeezed = model.embed(medianFilter(pixels, count), count);
    float[] scores = new float[count];
    for (int i = 0; i < count; i++) {
      scores[i] = (float) (1 - dot(embedded.row(i), squeezed.row(i)));
    }
    return scores;
  }

  /**
   * 2×2 median filter of every image, the window anchored at the pixel and clamped at the lower and
   * right borders; the median of four values is the mean of the middle two.
   */
  float[] medianFilter(float[] pixels, int count) {
    int plane = height * width;
    float[] out = new float[pixels.length];
    float[] window = new float[4];
    for (int p = 0; p < count * channels; p++) {
      int base = p * plane;
      for (int r = 0; r < height; r++) {
        int r2 = Math.min(r + 1, height - 1);
        for (int c = 0; c < width; c++) {
          int c2 = Math.min(c + 1, width - 1);
          window[0] = pixels[base + r * width + c];
          window[1] = pixels[base + r * width + c2];
          window[2] = pixels[base + r2 * width + c];
          window[3] = pixels[base + r2 * width + c2];
          out[base + r * width + c] = middleMean(window);
        }
      }
    }
    return out;
  }

  private static float middleMean(float[] w) {
    float lo = Math.min(Math.min(w[0], w[1]), Math.min(w[2], w[3]));
    float hi = Math.max(Math.max(w[0], w[1]), Math.max(w[2], w[3]));
    return (w[0] + w[1] + w[2] + w[3] - lo - hi) / 2;
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }
}
