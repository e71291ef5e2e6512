package io.advrank.core.model;

import java.util.List;

/**
 * What a model directory must match to be used on some data: its architecture, the size of its
 * embedding, the shape of its input images (channels × height × width), how pixels in [0,1] are
 * normalised before the network sees them, and the distance the ranking uses.
 *
 * @param architecture {@value #C2F1} (the paper's network), {@value #RC2F2} (robrank's, native like
 *     the C2F1), {@value #ENSEMBLE} (native networks joined by {@code advrank models ensemble}) or
 *     {@value #TORCHSCRIPT} (a user's module saved with {@code torch.jit.save})
 * @param embeddingSize length of the embedding f(x)
 * @param channels input channels
 * @param height input height in pixels
 * @param width input width in pixels
 * @param mean per-channel mean subtracted from pixels in [0,1], empty for none
 * @param std per-channel standard deviation pixels are divided by after the mean, empty for none
 * @param distance the ranking distance; only {@value #COSINE} today: d(a, b) = 1 − ⟨f(a), f(b)⟩ on
 *     L2-normalised embeddings
 */
public record ModelSpec(
    String architecture,
    int embeddingSize,
    int channels,
    int height,
    int width,
    List<Double> mean,
    List<Double> std,
    String distance) {

  /** The paper's two-conv, one-linear network (docs/method.md). */
  public static final String C2F1 = "c2f1";

  /**
   * robrank's 28-px ranking network: the C2F1's convolutions, then linear 1024, ReLU, linear to the
   * embedding (robrank's ACT and EST rows were trained on it).
   */
  public static final String RC2F2 = "rc2f2";

  /**
   * Two or more native networks as one: f(x) is their embeddings, one after another, over √k, so
   * the cosine similarity of two images is the mean of the members' (an ensemble of embeddings).
   */
  public static final String ENSEMBLE = "ensemble";

  /** A TorchScript module imported with {@code advrank models import}. */
  public static final String TORCHSCRIPT = "torchscript";

  /** Cosine distance on L2-normalised embeddings, the paper's. */
  public static final String COSINE = "cosine";

  public ModelSpec {
    if (!isNative(architecture)
        && !ENSEMBLE.equals(architecture)
        && !TORCHSCRIPT.equals(architecture)) {
      throw new IllegalArgumentException(
          "architecture: unknown '"
              + architecture
              + "' (accepted: "
              + C2F1
              + ", "
              + RC2F2
              + ", "
              + ENSEMBLE
              + ", "
              + TORCHSCRIPT
              + ")");
    }
    requirePositive("embeddingSize", embeddingSize);
    requirePositive("channels", channels);
    requirePositive("height", height);
    requirePositive("width", width);
    // Two 2x2 max-pools: anything smaller than 4x4 pixels has no spatial extent left.
    if (!TORCHSCRIPT.equals(architecture) && (height < 4 || width < 4)) {
      throw new IllegalArgumentException(
          "input shape: " + height + "x" + width + " is too small (at least 4x4)");
    }
    mean = mean == null ? List.of() : List.copyOf(mean);
    std = std == null ? List.of() : List.copyOf(std);
    requirePerChannel("mean", mean, channels);
    requirePerChannel("std", std, channels);
    if (mean.isEmpty() != std.isEmpty()) {
      throw new IllegalArgumentException("mean and std: give both or neither");
    }
    for (double s : std) {
      if (!(s > 0) || Double.isInfinite(s)) {
        throw new IllegalArgumentException("std: every value must be > 0 and finite, was " + std);
      }
    }
    distance = distance == null ? COSINE : distance;
    if (!COSINE.equals(distance)) {
      throw new IllegalArgumentException(
          "distance: unknown '" + distance + "' (accepted: " + COSINE + ")");
    }
  }

  /** A spec without input normalisation, ranked by cosine distance. */
  public ModelSpec(String architecture, int embeddingSize, int channels, int height, int width) {
    this(architecture, embeddingSize, channels, height, width, List.of(), List.of(), COSINE);
  }

  /** The paper's C2F1 for 28×28 greyscale images with a 1024-d embedding. */
  public static ModelSpec c2f1(int channels, int height, int width) {
    return new ModelSpec(C2F1, 1024, channels, height, width);
  }

  /**
   * Whether {@code architecture} is one of advrank's own networks ({@value #C2F1}, {@value
   * #RC2F2}), built from layers and stored as an NDList, rather than a TorchScript module.
   */
  public static boolean isNative(String architecture) {
    return C2F1.equals(architecture) || RC2F2.equals(architecture);
  }

  /** Number of values in one input image. */
  public int imageSize() {
    return channels * height * width;
  }

  /** Whether pixels are normalised with {@link #mean} and {@link #std} before the network. */
  public boolean normalises() {
    return !mean.isEmpty();
  }

  /** A short description such as {@code c2f1 1x28x28 -> 1024}. */
  public String describe() {
    return architecture + " " + channels + "x" + height + "x" + width + " -> " + embeddingSize;
  }

  private static void requirePositive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + ": must be > 0, was " + value);
    }
  }

  private static void requirePerChannel(String name, List<Double> values, int channels) {
    if (!values.isEmpty() && values.size() != channels) {
      throw new IllegalArgumentException(
          name
              + ": needs one value per channel ("
              + channels
              + "), got "
              + values.size()
              + " "
              + values);
    }
  }
}
