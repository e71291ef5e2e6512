package io.advrank.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TripletSamplerTest {
  @Test
  void batchesPerEpochCountsWhatAnEpochYields() {
    Random random = new Random(3);
    for (int trial = 0; trial < 50; trial++) {
      int n = 20 + random.nextInt(500);
      int classes = 2 + random.nextInt(9);
      int[] labels = random.ints(n, 0, classes).toArray();
      for (int batch : new int[] {2, 3, 4, 5, 16, 32, 33, 1000}) {
        TripletSampler sampler = new TripletSampler(labels, batch, new Random(trial));
        assertEquals(
            sampler.epoch().size(),
            TripletSampler.batchesPerEpoch(labels, batch),
            "n " + n + ", classes " + classes + ", batch " + batch);
      }
    }
  }

  @Test
  void fiftyFiveThousandBalancedImagesAtBatch32() {
    int[] labels = new int[55_000];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = i % 10;
    }
    // 27,500 pairs, 16 a batch: 1718 full batches and one of 12 pairs.
    assertEquals(1719, TripletTrainer.stepsPerEpoch(labels, 32));
  }
}
