package io.advrank.defensetrainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.ModelSpec;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrainingBufferTest {
  private static final ModelSpec SPEC = ModelSpec.c2f1(1, 4, 4);

  private static float[] image(float v) {
    float[] p = new float[16];
    java.util.Arrays.fill(p, v);
    return p;
  }

  @Test
  void holdsOutAQuarterOfItemsByIdAndNeverTrainsOnThem() {
    TrainingBuffer b = new TrainingBuffer(1000, 1000, SPEC);
    int heldOut = 0;
    for (int i = 0; i < 400; i++) {
      String id = "item-" + i;
      b.addCatalog(id, image(0.5f), i % 4);
      if (Math.floorMod(id.hashCode(), 4) == 0) {
        heldOut++;
        assertFalse(b.addVariant(id, image(0.6f)), "variants of held-out items are not trained on");
      }
    }
    assertEquals(heldOut, b.heldOutSize());
    assertEquals(400 - heldOut, b.size());
    assertTrue(heldOut > 50 && heldOut < 150, "about a quarter: " + heldOut);
  }

  @Test
  void rollsOverAndSamplesSameLabelPairsWithOtherLabelNegatives() {
    TrainingBuffer b = new TrainingBuffer(40, 20, SPEC);
    for (int i = 0; i < 200; i++) {
      b.addCatalog("x" + i, image(i % 5 / 10f), i % 5);
    }
    assertEquals(40, b.size(), "the newest 40");
    assertTrue(b.canSample(8));
    TrainingBuffer.Batch batch = b.sample(8, new Random(1));
    int[] pos = batch.triplets().positives();
    int[] neg = batch.triplets().negatives();
    for (int i = 0; i < 8; i++) {
      assertEquals(i, batch.triplets().anchors()[i]);
      // Each image's value encodes its label: pairs share it, negatives differ.
      assertEquals(batch.pixels()[i * 16], batch.pixels()[pos[i] * 16], 1e-6);
      assertNotEquals(batch.pixels()[i * 16], batch.pixels()[neg[i] * 16], 1e-6);
    }
  }

  @Test
  void theFrozenHeldOutSetKeepsItsImagesAndLabels() {
    TrainingBuffer b = new TrainingBuffer(100, 10, SPEC);
    for (int i = 0; i < 200; i++) {
      b.addCatalog("i" + i, image(1f), 3);
    }
    ImageDataset heldOut = b.freezeHeldOut();
    assertEquals(10, heldOut.size());
    assertEquals(3, heldOut.label(0));
    assertEquals(1f, heldOut.image(0)[0], 1e-6);
    b.addCatalog("i-late-0", image(1f), 3);
    assertEquals(10, b.heldOutSize(), "frozen");
  }
}
