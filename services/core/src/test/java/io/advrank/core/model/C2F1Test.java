package io.advrank.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
      // Chunked as embed() chunks, so that both paths run convolutions of the same shapes, which
      // libtorch computes with the same kernels and summation order; the paths differ only in
      // exact operations (pooling as the maximum of four views, ReLU after pooling).
      for (int start = 0; start < n; start += EmbeddingModel.EMBED_BATCH) {
        int k = Math.min(EmbeddingModel.EMBED_BATCH, n - start);
        try (NDManager step = model.manager().newSubManager()) {
          float[] chunk =
              Arrays.copyOfRange(pixels, start * SPEC.imageSize(), (start + k) * SPEC.imageSize());
          NDArray x = step.create(chunk, EmbeddingModel.inputShape(SPEC, k));
          float[] e = model.referenceForward(x).toFloatArray();
          System.arraycopy(e, 0, reference, start * SPEC.embeddingSize(), e.length);
        }
      }
      assertArrayEquals(reference, fast);
    }
  }

  @Test
  void channelsLastForwardIsTheBlocksFunctionWithTheSameGradients() {
    // The gradients an attack (input) and training (weights) take from a random linear objective
    // of f(x), on random images and on blank ones (pooling windows tie on ReLU's zeros).
    // The layouts run different convolution kernels, which sum in another order. A float32 sum
    // of K terms, reordered, moves by about sqrt(K)·u of its magnitude (u = 2^-24 = 6e-8): the
    // embedding's longest sum is the linear layer's (K = 3136: 3.4e-6), the input gradient's goes
    // back through conv 2 and the linear layer (about twice that), conv 1's weight gradient sums
    // over 24 images × 784 positions (K = 18816: 8e-6). The bounds, relative to the largest value,
    // are 3 to 12 times those, and far below what a wrong layout (values read from other channels)
    // or a gradient routed to another pooling input would change.
    Gradients reference = gradients(false);
    Gradients fast = gradients(true);
    assertClose(reference.embedding, fast.embedding, 1e-5);
    assertClose(reference.input, fast.input, 1e-4);
    for (int p = 0; p < reference.weights.size(); p++) {
      assertClose(reference.weights.get(p), fast.weights.get(p), 1e-4);
    }
  }

  private record Gradients(float[] embedding, float[] input, List<float[]> weights) {}

  /** On a new model of a fixed seed, so that no gradient accumulates across calls. */
  private static Gradients gradients(boolean channelsLast) {
    int n = 24;
    Random random = new Random(8);
    float[] pixels = new float[n * SPEC.imageSize()];
    for (int i = 2 * SPEC.imageSize(); i < pixels.length; i++) {
      pixels[i] = random.nextFloat();
    }
    float[] direction = new float[n * SPEC.embeddingSize()];
    for (int i = 0; i < direction.length; i++) {
      direction[i] = 2 * random.nextFloat() - 1;
    }
    try (EmbeddingModel model = EmbeddingModel.create(SPEC, 5, Device.cpu());
        NDManager m = model.manager().newSubManager()) {
      NDArray x = m.create(pixels, EmbeddingModel.inputShape(SPEC, n));
      x.setRequiresGradient(true);
      float[] embedding;
      try (GradientCollector gc = GradientLane.open()) {
        NDArray e = channelsLast ? model.forward(x, true) : model.referenceForward(x);
        embedding = e.toFloatArray();
        gc.backward(e.mul(m.create(direction, new Shape(n, SPEC.embeddingSize()))).sum());
      }
      List<float[]> weights = new ArrayList<>();
      for (Pair<String, Parameter> p : model.parameters()) {
        weights.add(p.getValue().getArray().getGradient().toFloatArray());
      }
      return new Gradients(embedding, x.getGradient().toFloatArray(), weights);
    }
  }

  /** Equal within {@code tolerance} times the largest magnitude in {@code expected}. */
  private static void assertClose(float[] expected, float[] actual, double tolerance) {
    assertEquals(expected.length, actual.length);
    double scale = 0;
    for (float v : expected) {
      scale = Math.max(scale, Math.abs(v));
    }
    assertTrue(scale > 0, "an all-zero reference proves nothing");
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], tolerance * scale, "element " + i);
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
