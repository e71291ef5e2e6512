package io.advrank.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.serving.CatalogStore.Rows;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CatalogStoreTest {
  private static final float[] PIXELS = new float[1];

  private static CatalogItem item(String id, int label) {
    return new CatalogItem(id, id + "-event", label, PIXELS);
  }

  @Test
  void reUploadReplacesAnItemAndTombstoneRemovesIt() {
    CatalogStore store = new CatalogStore(2, false);
    store.put(item("a", 1), new float[] {1, 0}, 0);
    store.put(item("b", 2), new float[] {0, 1}, 0);
    store.put(item("a", 1), new float[] {0.6f, 0.8f}, 0);
    store.remove("b", 0);
    store.remove("unknown", 0);

    Rows g = store.snapshot();

    assertArrayEquals(new String[] {"a"}, g.ids());
    assertArrayEquals(new float[] {0.6f, 0.8f}, g.embeddings().row(0));
    assertEquals(0, store.pendingChanges());
  }

  @Test
  void aReUploadKeepsItsRowUnlessReUploadsGoLast() {
    for (boolean last : new boolean[] {false, true}) {
      CatalogStore store = new CatalogStore(1, last);
      store.put(item("a", 0), new float[] {1}, 0);
      store.put(item("b", 1), new float[] {1}, 0);
      store.put(new CatalogItem("a", "again", 0, PIXELS), new float[] {1}, 0);

      Rows rows = store.snapshot();

      String[] expected = last ? new String[] {"b", "a"} : new String[] {"a", "b"};
      assertArrayEquals(expected, rows.ids(), "re-uploads last: " + last);
      assertEquals("again", rows.eventIds()[last ? 1 : 0], "the row holds the newest upload");
    }
  }

  @Test
  void rebuildIsDueAfterEnoughChangesOrWhenTheOldestChangeIsOldEnough() {
    CatalogStore store = new CatalogStore(1, false);
    Duration second = Duration.ofSeconds(1);
    assertFalse(store.rebuildDue(0, 3, second), "nothing pending");

    store.put(item("a", -1), new float[] {1}, 100);
    store.put(item("b", -1), new float[] {1}, 900);
    assertFalse(store.rebuildDue(1000, 3, second));
    assertTrue(store.rebuildDue(1100, 3, second), "oldest change is 1 s old");

    store.put(item("c", -1), new float[] {1}, 1000);
    assertTrue(store.rebuildDue(1000, 3, second), "3 changes");

    store.snapshot();
    assertFalse(store.rebuildDue(5000, 3, second));
  }
}
