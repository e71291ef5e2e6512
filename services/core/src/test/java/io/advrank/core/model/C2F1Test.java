package io.advrank.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class C2F1Test {
  private static final ModelSpec SPEC = ModelSpec.c2f1(1, 28, 28);

  @Test
  void fastEmbeddingEqualsTheBlocksForwardPassValueForValue() {
    // More than one embed batch (a full one and a partial one), with flat images whose pooling
    // windows tie (blank background, as in Fashion-MNIST) besides random ones.
    int n = EmbeddingModel.EMBED_BATCH + 44;
    float[] pixels = new float[n * SPEC.imageSize()];
    Random random = new Random(3);
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = random.nextFloat();
    }
    Arrays.fill(pixels, 0, SPEC.imageSize(), 0f);
    Arrays.fill(pixels, SPEC.imageSize(), 2 * SPEC.imageSize(), 0.5f);
    try (EmbeddingModel model = EmbeddingModel.create(SPEC, 11, Device.cpu())) {
      float[] fast = model.embed(pixels, n).values();
      float[] reference = new float[fast.length];
      for (int start = 0; start < n; start += 100) {
        int k = Math.min(100, n - start);
        try (NDManager step = model.manager().newSubManager()) {
          float[] chunk =
              Arrays.copyOfRange(pixels, start * SPEC.imageSize(), (start + k) * SPEC.imageSize());
          NDArray x = step.create(chunk, EmbeddingModel.inputShape(SPEC, k));
          float[] e = model.forward(x, false).toFloatArray();
          System.arraycopy(e, 0, reference, start * SPEC.embeddingSize(), e.length);
        }
      }
      assertArrayEquals(reference, fast);
    }
  }

  @Test
  void maxPool2x2MatchesLibtorchsPoolingAlsoOnOddSizes() {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      for (Shape shape : new Shape[] {new Shape(2, 3, 7, 9), new Shape(1, 2, 6, 8)}) {
        NDArray x = manager.randomNormal(shape);
        NDArray expected =
            Pool.maxPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
        NDArray actual = C2F1.maxPool2x2(x);
        assertEquals(expected.getShape(), actual.getShape());
        assertArrayEquals(expected.toFloatArray(), actual.toFloatArray());
      }
    }
  }
}
