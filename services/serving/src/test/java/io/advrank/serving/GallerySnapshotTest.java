package io.advrank.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.core.model.ModelSpec;
import io.advrank.serving.CatalogStore.Rows;
import org.junit.jupiter.api.Test;

class GallerySnapshotTest {
  private static final Rows THREE =
      new Rows(
          new String[] {"x", "y", "z"},
          new String[] {"ex", "ey", "ez"},
          new int[] {0, 1, -1},
          new Embeddings(new float[] {1, 0, 0, 1, 0.6f, 0.8f}, 3, 2));

  /** A tiny real model; the snapshot only carries it (the embeddings above are given). */
  private static SharedModel model() {
    return new SharedModel(EmbeddingModel.create(ModelSpec.c2f1(1, 4, 4), 0, Device.cpu()), true);
  }

  @Test
  void findsRowsByItemAndTheExactUploadOfAnItem() {
    GallerySnapshot s = GallerySnapshot.of(THREE, model(), false);

    assertEquals(1, s.rowOf("y"));
    assertEquals(-1, s.rowOf("w"));
    assertEquals(2, s.selfRow("z", "ez"));
    assertEquals(-1, s.selfRow("z", "an older upload"), "not the item's clean copy");
    assertEquals(-1, s.label(2));
    assertNull(s.attacker(), "no attacker unless asked for");
    s.release();
  }

  @Test
  void aReplacedSnapshotStaysUsableUntilItsLastUserReleasesIt() {
    LiveGallery live = new LiveGallery(GallerySnapshot.of(THREE, model(), false));
    GallerySnapshot inUse = live.acquire();

    live.publish(GallerySnapshot.of(Rows.empty(2), model(), false));

    int nearest = inUse.index().topK(new Embeddings(new float[] {1, 0}, 1, 2), 1, null).idsOf(0)[0];
    assertEquals("x", inUse.itemId(nearest), "the old index still answers");
    inUse.release();
    assertFalse(inUse.tryAcquire(), "freed after the last release");
    GallerySnapshot current = live.acquire();
    assertEquals(0, current.size());
    assertNull(current.index(), "an empty catalog has no index");
    current.release();
    live.close();
  }

  @Test
  void theModelOfAReplacedSnapshotClosesWithItsLastUser() {
    SharedModel v1 = model();
    LiveGallery live = new LiveGallery(GallerySnapshot.of(THREE, v1, false));
    v1.release(); // the mirror's reference, as after a swap
    GallerySnapshot inUse = live.acquire();

    live.publish(GallerySnapshot.of(Rows.empty(2), model(), false));

    float[] embedded = inUse.model().embed(new float[16], 1).row(0);
    assertEquals(1024, embedded.length, "the old version still embeds for its batch");
    inUse.release();
    assertThrows(IllegalStateException.class, v1::retain, "closed after the last batch on it");
    live.close();
  }
}
