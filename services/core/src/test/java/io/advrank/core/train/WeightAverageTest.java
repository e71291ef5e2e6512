package io.advrank.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.Fixtures;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.EmbeddingModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class WeightAverageTest {
  static final double DECAY = 0.9;

  @Test
  void theAverageFollowsTheRecurrenceAndTheLiveWeightsComeBackIntact() {
    float[] pixels = NativeMemoryTest.randomPixels();
    Triplets triplets = NativeMemoryTest.triplets();
    try (EmbeddingModel model = EmbeddingModel.create(TripletTrainerTest.spec(), 2, Device.cpu())) {
      TripletTrainer trainer =
          new TripletTrainer(model, TripletTrainerTest.small(1)).optWeightAveraging(DECAY);
      // θ̄_0 = θ_0, θ̄_t = δ·θ̄_{t−1} + (1 − δ)·θ_t, computed here in double on copies.
      double[] expected = toDouble(lastWeights(model));
      for (int step = 0; step < 5; step++) {
        trainer.step(pixels, triplets);
        float[] now = lastWeights(model);
        for (int i = 0; i < now.length; i++) {
          expected[i] = DECAY * expected[i] + (1 - DECAY) * now[i];
        }
      }
      List<float[]> live = allWeights(model);
      float[] averaged = trainer.withAveragedWeights(() -> lastWeights(model));
      double worst = 0;
      for (int i = 0; i < averaged.length; i++) {
        worst = Math.max(worst, Math.abs(averaged[i] - expected[i]));
      }
      assertTrue(worst < 1e-6, "largest difference from the recurrence: " + worst);
      assertFalse(Arrays.equals(averaged, live.get(live.size() - 1)), "the average lags the live");
      List<float[]> after = allWeights(model);
      for (int p = 0; p < live.size(); p++) {
        assertArrayEquals(live.get(p), after.get(p), "parameter " + p + " after the swap");
      }
    }
  }

  @Test
  void fitLeavesTheAverageInTheModelAndItsEpochFiguresDescribeIt() throws Exception {
    ImageDataset train =
        DatasetDirectory.load(Fixtures.fashionMnistMini(), DatasetDirectory.Split.TRAIN).head(400);
    try (EmbeddingModel averaged =
            EmbeddingModel.create(TripletTrainerTest.spec(), 3, Device.cpu());
        EmbeddingModel plain = EmbeddingModel.create(TripletTrainerTest.spec(), 3, Device.cpu())) {
      List<TrainListener.EpochStats> history =
          new TripletTrainer(averaged, TripletTrainerTest.small(1))
              .optWeightAveraging(DECAY)
              .optEvaluation(train)
              .fit(train);
      new TripletTrainer(plain, TripletTrainerTest.small(1)).fit(train);
      // Same seed, same steps: only the averaging differs, and the figures are the average's.
      assertFalse(Arrays.equals(lastWeights(averaged), lastWeights(plain)));
      double r = TripletTrainerTest.evaluateOn(averaged, train).recallAt1();
      assertEquals(r, history.get(0).recallAt1(), 1e-9);
    }
  }

  @Test
  void refusesADecayOutsideTheUnitInterval() {
    try (EmbeddingModel model = EmbeddingModel.create(TripletTrainerTest.spec(), 2, Device.cpu())) {
      TripletTrainer trainer = new TripletTrainer(model, TripletTrainerTest.small(1));
      for (double bad : new double[] {-0.1, 1, Double.NaN}) {
        IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> trainer.optWeightAveraging(bad));
        assertTrue(e.getMessage().contains("weight averaging"), e.getMessage());
      }
    }
  }

  /** The output layer's weights: the largest parameter, the one every step moves. */
  static float[] lastWeights(EmbeddingModel model) {
    List<float[]> all = allWeights(model);
    float[] largest = all.get(0);
    for (float[] w : all) {
      largest = w.length > largest.length ? w : largest;
    }
    return largest;
  }

  static List<float[]> allWeights(EmbeddingModel model) {
    List<float[]> out = new ArrayList<>();
    for (Pair<String, Parameter> p : model.parameters()) {
      out.add(p.getValue().getArray().toFloatArray());
    }
    return out;
  }

  private static double[] toDouble(float[] a) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }
}
