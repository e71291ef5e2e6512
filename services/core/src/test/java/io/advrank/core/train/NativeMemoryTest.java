package io.advrank.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every step must free its native arrays. A step that forgets its sub-manager leaves arrays on the
 * model's manager (counted exactly here) and grows native memory by megabytes per step (RSS).
 */
class NativeMemoryTest {
  static final int BATCH = 32;

  @Test
  void trainingStepsAndEmbeddingLeaveNoNativeArraysBehind() throws IOException {
    try (EmbeddingModel model = EmbeddingModel.create(ModelSpec.c2f1(1, 28, 28), 1, Device.cpu())) {
      TripletTrainer trainer = new TripletTrainer(model, TripletTrainerTest.small(1));
      float[] pixels = randomPixels();
      int[][] triplets = triplets();
      trainer.step(pixels, triplets); // Adam creates its state on the first step
      model.embed(pixels, BATCH);
      int arrays = model.manager().getManagedArrays().size();
      long rssBefore = rssBytes();
      for (int i = 0; i < 60; i++) {
        trainer.step(pixels, triplets);
        model.embed(pixels, BATCH);
      }
      assertEquals(arrays, model.manager().getManagedArrays().size());
      long growth = rssBytes() - rssBefore;
      // A leaked step costs ≥ 1.5 MB here (activations of 32 images); 60 steps ≥ 90 MB.
      assertTrue(growth < 60L << 20, "native memory grew by " + (growth >> 20) + " MB");
    }
  }

  static float[] randomPixels() {
    Random r = new Random(1);
    float[] x = new float[BATCH * 784];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextFloat();
    }
    return x;
  }

  static int[][] triplets() {
    int[] pos = new int[BATCH];
    int[] neg = new int[BATCH];
    for (int i = 0; i < BATCH; i++) {
      pos[i] = i ^ 1;
      neg[i] = (i + 2) % BATCH;
    }
    return new int[][] {pos, neg};
  }

  static long rssBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }
}
