package io.advrank.core.train;

import java.util.Random;

/**
 * Random translation of training images, the standard augmentation for small grey images: each
 * image of a batch moves by (dy, dx), each drawn uniformly from [−s, s], and the pixels it leaves
 * behind become 0 (Fashion-MNIST's and MNIST's background). A fresh draw per image per step, from
 * its own seeded stream, so a run with a shift samples the same batches and negatives as one
 * without.
 */
public final class RandomShift {
  private final int maxShift;
  private final Random random;

  /**
   * @param maxShift s, the largest move each way in pixels; 0 leaves every image as it is
   * @param seed seeds the draws
   */
  public RandomShift(int maxShift, long seed) {
    if (maxShift < 0) {
      throw new IllegalArgumentException("random shift: must be >= 0, was " + maxShift);
    }
    this.maxShift = maxShift;
    this.random = new Random(seed);
  }

  /**
   * Shifts each image of {@code pixels} in place.
   *
   * @param pixels whole images of channels × height × width floats each, CHW order
   * @throws IllegalArgumentException if s is not smaller than the height and the width, or the
   *     array does not hold whole images
   */
  public void apply(float[] pixels, int channels, int height, int width) {
    if (maxShift >= Math.min(height, width)) {
      throw new IllegalArgumentException(
          "random shift: must be smaller than the image ("
              + height
              + "x"
              + width
              + "), was "
              + maxShift);
    }
    int size = channels * height * width;
    if (size == 0 || pixels.length % size != 0) {
      throw new IllegalArgumentException(
          "random shift: " + pixels.length + " floats are not whole images of " + size);
    }
    if (maxShift == 0) {
      return;
    }
    float[] plane = new float[height * width];
    for (int image = 0; image < pixels.length / size; image++) {
      int dy = random.nextInt(2 * maxShift + 1) - maxShift;
      int dx = random.nextInt(2 * maxShift + 1) - maxShift;
      for (int c = 0; c < channels; c++) {
        int base = image * size + c * height * width;
        System.arraycopy(pixels, base, plane, 0, plane.length);
        for (int y = 0; y < height; y++) {
          int sy = y - dy;
          for (int x = 0; x < width; x++) {
            int sx = x - dx;
            boolean inside = sy >= 0 && sy < height && sx >= 0 && sx < width;
            pixels[base + y * width + x] = inside ? plane[sy * width + sx] : 0f;
          }
        }
      }
    }
  }
}
