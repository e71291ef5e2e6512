package io.advrank.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.Fixtures;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.core.model.ModelSpec;
import io.advrank.core.ranking.RetrievalMetrics;
import io.advrank.core.train.TrainListener.EpochStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TripletTrainerTest {
  static final int EPOCHS = 2;
  static ImageDataset train;
  static ImageDataset test;

  @BeforeAll
  static void load() throws Exception {
    train = DatasetDirectory.load(Fixtures.fashionMnistMini(), DatasetDirectory.Split.TRAIN);
    test = DatasetDirectory.load(Fixtures.fashionMnistMini(), DatasetDirectory.Split.TEST);
  }

  @Test
  void trainingLowersTheLossAndRaisesRecallWellAboveChance() {
    try (EmbeddingModel model = EmbeddingModel.create(spec(), 1, Device.cpu())) {
      RetrievalMetrics.Result before = evaluate(model);
      List<EpochStats> history =
          new TripletTrainer(model, small(EPOCHS)).optEvaluation(test).fit(train);
      EpochStats last = history.get(EPOCHS - 1);
      assertTrue(last.meanLoss() < 0.8 * history.get(0).meanLoss(), "loss should fall: " + history);
      // Chance is 0.1 with ten balanced classes, but an untrained C2F1 already scores ~0.77 here
      // (random conv features cluster Fashion-MNIST well), so we require a gain over it; mAP, which
      // weighs the whole ranking, rises most (measured 0.49 -> 0.66 after two epochs).
      assertTrue(last.recallAt1() > 0.5, "R@1 after training: " + last.recallAt1());
      assertTrue(last.recallAt1() > before.recallAt1(), "R@1 " + before + " -> " + last);
      assertTrue(
          last.meanAveragePrecision() > before.meanAveragePrecision() + 0.1,
          "mAP " + before + " -> " + last);
      assertEquals(last.recallAt1(), evaluate(model).recallAt1(), 1e-9);
    }
  }

  @Test
  void theSameSeedGivesTheSameLosses() {
    List<EpochStats> a;
    List<EpochStats> b;
    ImageDataset part = train.head(400);
    try (EmbeddingModel model = EmbeddingModel.create(spec(), 3, Device.cpu())) {
      a = new TripletTrainer(model, small(1)).fit(part);
    }
    try (EmbeddingModel model = EmbeddingModel.create(spec(), 3, Device.cpu())) {
      b = new TripletTrainer(model, small(1)).fit(part);
    }
    assertEquals(a.get(0).meanLoss(), b.get(0).meanLoss(), 1e-6);
  }

  @Test
  void aRandomShiftTrainsOnMovedImagesReproducibly() {
    ImageDataset part = train.head(400);
    double[] loss = new double[4];
    int[] shifts = {0, 2, 2};
    for (int run = 0; run < shifts.length; run++) {
      try (EmbeddingModel model = EmbeddingModel.create(spec(), 3, Device.cpu())) {
        loss[run] =
            new TripletTrainer(model, small(1))
                .optRandomShift(shifts[run])
                .fit(part)
                .get(0)
                .meanLoss();
      }
    }
    try (EmbeddingModel model = EmbeddingModel.create(spec(), 3, Device.cpu())) {
      loss[3] = new TripletTrainer(model, small(1)).fit(part).get(0).meanLoss();
    }
    assertEquals(loss[3], loss[0], 1e-6, "a shift of 0 is no shift");
    assertEquals(loss[1], loss[2], 1e-6, "the same seed draws the same moves");
    assertTrue(Math.abs(loss[1] - loss[0]) > 1e-4, "moved images give other losses: " + loss[1]);
  }

  @Test
  void chunkedStepsComputeTheSameGradientsAsOnePass() {
    int n = 120;
    float[] pixels = train.batch(IntStream.range(0, n).toArray());
    Triplets triplets =
        new TripletSampler(train.head(n).labels(), n, new Random(1))
            .triplets(IntStream.range(0, n).toArray());
    float[][] whole = gradients(pixels, triplets, n);
    float[][] chunked = gradients(pixels, triplets, 50);
    // Chunks of 50 run other kernels and add the chunks' sums: conv 1's weight gradient, the
    // longest sum, has K = 120 triplets × 3 images × 784 positions, which float32 sums in another
    // order move by ~sqrt(K)·u = 3.2e-5 of their magnitude (u = 2^-24); the bound is 3 times that,
    // relative to the largest gradient; dropping the last chunk (20 of the 120 triplets) would move
    // it by about a sixth.
    for (int p = 0; p < whole.length; p++) {
      double scale = 0;
      for (float v : whole[p]) {
        scale = Math.max(scale, Math.abs(v));
      }
      for (int i = 0; i < whole[p].length; i++) {
        assertEquals(
            whole[p][i], chunked[p][i], 1e-4 * scale + 1e-9, "parameter " + p + "[" + i + "]");
      }
    }
  }

  @Test
  void aCleanShareMixesCleanAndAdversarialGradients() {
    int n = 120;
    float[] pixels = train.batch(IntStream.range(0, n).toArray());
    Triplets triplets =
        new TripletSampler(train.head(n).labels(), n, new Random(1))
            .triplets(IntStream.range(0, n).toArray());
    BatchAdversary invert = INVERT;
    float[][] clean = gradients(pixels, triplets, 50, t -> t);
    float[][] adversarial = gradients(pixels, triplets, 50, t -> t.optAdversary(invert));
    // 240 rows in passes of 50: the mixed loss also goes through the chunked path.
    float[][] mixed =
        gradients(pixels, triplets, 50, t -> t.optAdversary(invert).optCleanWeight(0.25));
    for (int p = 0; p < clean.length; p++) {
      double scale = 0;
      for (int i = 0; i < clean[p].length; i++) {
        scale = Math.max(scale, Math.abs(clean[p][i]) + Math.abs(adversarial[p][i]));
      }
      for (int i = 0; i < clean[p].length; i++) {
        // The same chunked sums as in chunkedStepsComputeTheSameGradientsAsOnePass, hence its
        // bound.
        float expected = 0.25f * clean[p][i] + 0.75f * adversarial[p][i];
        assertEquals(expected, mixed[p][i], 1e-4 * scale + 1e-9, "parameter " + p + "[" + i + "]");
      }
    }
    assertNotEquals(clean[0][0], adversarial[0][0], "the adversary must change the gradients");
  }

  @Test
  void theShiftPenaltyAddsTheMeanEmbeddingShiftToTheLoss() {
    int n = 60;
    float[] pixels = train.batch(IntStream.range(0, n).toArray());
    float[] inverted = new float[pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      inverted[i] = 1 - pixels[i];
    }
    Triplets triplets =
        new TripletSampler(train.head(n).labels(), n, new Random(1))
            .triplets(IntStream.range(0, n).toArray());
    float adversarial = loss(pixels, triplets, t -> t.optAdversary(INVERT));
    float penalised = loss(pixels, triplets, t -> t.optAdversary(INVERT).optShiftWeight(0.5));
    double shift = 0;
    try (EmbeddingModel model = EmbeddingModel.create(spec(), 4, Device.cpu())) {
      Embeddings a = model.embed(pixels, n);
      Embeddings b = model.embed(inverted, n);
      for (int i = 0; i < n; i++) {
        float[] u = a.row(i);
        float[] v = b.row(i);
        double dot = 0;
        for (int k = 0; k < u.length; k++) {
          dot += u[k] * v[k];
        }
        shift += (1 - dot) / n;
      }
    }
    assertTrue(shift > 0.01, "inverting the images must move the embeddings: " + shift);
    // Both losses are float32 means over 60 triplets and the shift a double mean of float32
    // embeddings, the terms ~0.1-1: rounding, reordered by kernels, is ~1e-6 of that, far below
    // the bound, which in turn is far below the penalty itself (0.5 · shift > 0.005).
    assertEquals(adversarial + 0.5 * shift, penalised, 1e-4);
  }

  @Test
  void refusesImagesOfAnotherShape() {
    try (EmbeddingModel model = EmbeddingModel.create(ModelSpec.c2f1(1, 32, 32), 1, Device.cpu())) {
      IllegalArgumentException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalArgumentException.class, () -> new TripletTrainer(model, small(1)).fit(train));
      assertTrue(e.getMessage().contains("1x32x32"), e.getMessage());
    }
  }

  /** dL/dθ of one batch on a fresh seeded model, computed in passes of {@code chunk} images. */
  static float[][] gradients(float[] pixels, Triplets triplets, int chunk) {
    return gradients(pixels, triplets, chunk, t -> t);
  }

  static float[][] gradients(
      float[] pixels, Triplets triplets, int chunk, UnaryOperator<TripletTrainer> setup) {
    try (EmbeddingModel model = EmbeddingModel.create(spec(), 4, Device.cpu());
        NDManager step = model.manager().newSubManager()) {
      setup
          .apply(new TripletTrainer(model, small(1)).chunkSize(chunk))
          .gradients(step, pixels, triplets);
      List<float[]> out = new ArrayList<>();
      for (Pair<String, Parameter> p : model.parameters()) {
        out.add(p.getValue().getArray().getGradient().toFloatArray());
      }
      return out.toArray(new float[0][]);
    }
  }

  /** x̃ = 1 − x: far from x, so clean and adversarial terms differ clearly. */
  static final BatchAdversary INVERT =
      new BatchAdversary() {
        @Override
        public NDArray perturb(EmbeddingModel model, NDArray images) {
          return images.neg().add(1f);
        }

        @Override
        public String describe() {
          return "invert";
        }
      };

  /** The loss of one step on a fresh seeded model (the same one {@link #gradients} uses). */
  static float loss(float[] pixels, Triplets triplets, UnaryOperator<TripletTrainer> setup) {
    try (EmbeddingModel model = EmbeddingModel.create(spec(), 4, Device.cpu());
        NDManager step = model.manager().newSubManager()) {
      return setup.apply(new TripletTrainer(model, small(1))).gradients(step, pixels, triplets);
    }
  }

  static TrainSettings small(int epochs) {
    return new TrainSettings(epochs, 100, 1e-3f, 1e-7f, 0.2f, 5);
  }

  static ModelSpec spec() {
    return ModelSpec.c2f1(1, 28, 28);
  }

  static RetrievalMetrics.Result evaluate(EmbeddingModel model) {
    return evaluateOn(model, test);
  }

  static RetrievalMetrics.Result evaluateOn(EmbeddingModel model, ImageDataset data) {
    return RetrievalMetrics.leaveOneOut(model.embed(data), data.labels());
  }
}
