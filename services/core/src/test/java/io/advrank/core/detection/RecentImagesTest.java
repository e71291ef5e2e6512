package io.advrank.core.detection;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RecentImagesTest {
  @Test
  void anImageSeenLatelyIsNotNewAndOneOutOfTheWindowIsNewAgain() {
    RecentImages recent = new RecentImages(3);
    assertTrue(recent.firstSighting(1));
    assertFalse(recent.firstSighting(1));
    assertTrue(recent.firstSighting(2));
    assertTrue(recent.firstSighting(3));
    assertFalse(recent.firstSighting(1));
    assertTrue(recent.firstSighting(4)); // 1 leaves the window
    assertTrue(recent.firstSighting(1));
    recent.clear();
    assertTrue(recent.firstSighting(4));
  }

  @Test
  void theKeyIsThePixelsOfOneImageOfABatch() {
    float[] batch = {0.1f, 0.2f, 0.3f, 0.1f, 0.2f, 0.3f, 0.1f, 0.2f, 0.30001f};
    long first = RecentImages.key(batch, 0, 3);
    assertTrue(first == RecentImages.key(batch, 3, 3), "the same pixels, the same key");
    assertNotEquals(first, RecentImages.key(batch, 6, 3), "one pixel off by 1e-5");
    assertNotEquals(
        RecentImages.key(new float[] {0.1f, 0.2f}, 0, 2),
        RecentImages.key(new float[] {0.2f, 0.1f}, 0, 2),
        "the order of the pixels counts");
  }
}
