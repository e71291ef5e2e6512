package io.advrank.ranker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.Device;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.core.model.ModelSpec;
import io.advrank.proto.v1.Hit;
import io.advrank.ranker.CatalogStore.Gallery;
import java.util.List;
import org.junit.jupiter.api.Test;

class GallerySnapshotTest {
  private static final Gallery THREE =
      new Gallery(
          new String[] {"x", "y", "z"},
          new int[] {0, 1, -1},
          new Embeddings(new float[] {1, 0, 0, 1, 0.6f, 0.8f}, 3, 2));

  /** A tiny real model; the snapshot only carries it (the embeddings above are given). */
  private static SharedModel model() {
    return new SharedModel(EmbeddingModel.create(ModelSpec.c2f1(1, 4, 4), 0, Device.cpu()), true);
  }

  @Test
  void ranksByCosineDistanceWithItemIdsAndKnownLabels() {
    GallerySnapshot s = GallerySnapshot.of(THREE, model());

    List<List<Hit>> hits = s.rank(new Embeddings(new float[] {0, 1}, 1, 2), 10);
    s.release();

    List<Hit> top = hits.get(0);
    assertEquals(3, top.size(), "k is capped at the gallery size");
    assertEquals(List.of("y", "z", "x"), top.stream().map(Hit::getItemId).toList());
    assertEquals(0f, top.get(0).getDistance(), 1e-6f);
    assertEquals(0.2f, top.get(1).getDistance(), 1e-6f);
    assertEquals(1, top.get(0).getLabel());
    assertFalse(top.get(1).hasLabel(), "unknown label stays unset");
  }

  @Test
  void anEmptyCatalogGivesEmptyRankings() {
    GallerySnapshot s = GallerySnapshot.of(Gallery.empty(2), model());

    assertEquals(List.of(List.of()), s.rank(new Embeddings(new float[] {0, 1}, 1, 2), 5));
  }

  @Test
  void aReplacedSnapshotStaysUsableUntilItsLastUserReleasesIt() {
    LiveGallery live = new LiveGallery(GallerySnapshot.of(THREE, model()));
    GallerySnapshot inUse = live.acquire();

    live.publish(GallerySnapshot.of(Gallery.empty(2), model()));

    List<Hit> top = inUse.rank(new Embeddings(new float[] {1, 0}, 1, 2), 1).get(0);
    assertEquals("x", top.get(0).getItemId(), "the old index still answers");
    inUse.release();
    assertFalse(inUse.tryAcquire(), "freed after the last release");
    GallerySnapshot current = live.acquire();
    assertEquals(0, current.size());
    current.release();
    live.close();
  }

  @Test
  void theModelOfAReplacedSnapshotClosesWithItsLastUser() {
    SharedModel v1 = model();
    LiveGallery live = new LiveGallery(GallerySnapshot.of(THREE, v1));
    v1.release(); // the catalog thread's reference, as after a swap
    GallerySnapshot inUse = live.acquire();

    live.publish(GallerySnapshot.of(Gallery.empty(2), model()));

    float[] embedded = inUse.model().embed(new float[16], 1).row(0);
    assertEquals(1024, embedded.length, "the old version still embeds for its batch");
    inUse.release();
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalStateException.class, v1::retain, "closed after the last batch on it");
    live.close();
  }
}
