package io.advrank.core.model;

/**
 * What a model directory must match to be used on some data: its architecture, the size of its
 * embedding and the shape of its input images (channels × height × width).
 *
 * @param architecture the network's name; only {@value #C2F1} exists today
 * @param embeddingSize length of the L2-normalised embedding f(x)
 * @param channels input channels
 * @param height input height in pixels
 * @param width input width in pixels
 */
public record ModelSpec(
    String architecture, int embeddingSize, int channels, int height, int width) {

  /** The paper's two-conv, one-linear network (BRIEF §2). */
  public static final String C2F1 = "c2f1";

  public ModelSpec {
    if (!C2F1.equals(architecture)) {
      throw new IllegalArgumentException(
          "architecture: unknown '" + architecture + "' (accepted: " + C2F1 + ")");
    }
    requirePositive("embeddingSize", embeddingSize);
    requirePositive("channels", channels);
    // Two 2x2 max-pools: anything smaller than 4x4 pixels has no spatial extent left.
    if (height < 4 || width < 4) {
      throw new IllegalArgumentException(
          "input shape: " + height + "x" + width + " is too small (at least 4x4)");
    }
  }

  /** The paper's C2F1 for 28×28 greyscale images with a 1024-d embedding. */
  public static ModelSpec c2f1(int channels, int height, int width) {
    return new ModelSpec(C2F1, 1024, channels, height, width);
  }

  /** Number of values in one input image. */
  public int imageSize() {
    return channels * height * width;
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
}
