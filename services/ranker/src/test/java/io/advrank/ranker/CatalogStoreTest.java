package io.advrank.ranker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.ranker.CatalogStore.Gallery;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CatalogStoreTest {
  private static final float[] PIXELS = new float[1];

  @Test
  void reUploadReplacesAnItemAndTombstoneRemovesIt() {
    CatalogStore store = new CatalogStore(2);
    store.put("a", PIXELS, new float[] {1, 0}, 1, 0);
    store.put("b", PIXELS, new float[] {0, 1}, 2, 0);
    store.put("a", PIXELS, new float[] {0.6f, 0.8f}, 1, 0);
    store.remove("b", 0);
    store.remove("unknown", 0);

    Gallery g = store.snapshot();

    assertArrayEquals(new String[] {"a"}, g.ids());
    assertArrayEquals(new float[] {0.6f, 0.8f}, g.embeddings().row(0));
    assertEquals(0, store.pendingChanges());
  }

  @Test
  void rebuildIsDueAfterEnoughChangesOrWhenTheOldestChangeIsOldEnough() {
    CatalogStore store = new CatalogStore(1);
    Duration second = Duration.ofSeconds(1);
    assertFalse(store.rebuildDue(0, 3, second), "nothing pending");

    store.put("a", PIXELS, new float[] {1}, -1, 100);
    store.put("b", PIXELS, new float[] {1}, -1, 900);
    assertFalse(store.rebuildDue(1000, 3, second));
    assertTrue(store.rebuildDue(1100, 3, second), "oldest change is 1 s old");

    store.put("c", PIXELS, new float[] {1}, -1, 1000);
    assertTrue(store.rebuildDue(1000, 3, second), "3 changes");

    store.snapshot();
    assertFalse(store.rebuildDue(5000, 3, second));
  }
}
