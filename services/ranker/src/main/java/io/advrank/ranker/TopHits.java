package io.advrank.ranker;

import io.advrank.core.model.Embeddings;
import io.advrank.core.ranking.TopK;
import io.advrank.proto.v1.Hit;
import io.advrank.serving.GallerySnapshot;
import java.util.ArrayList;
import java.util.List;

/** A ranking's hits: the nearest catalog items of a gallery snapshot, as they go on the wire. */
final class TopHits {
  private TopHits() {}

  /**
   * The hits of every query (embedded with the snapshot's model), best first; at most {@code k}
   * each, fewer when the catalog is smaller, none when it is empty.
   */
  static List<List<Hit>> of(GallerySnapshot snapshot, Embeddings queries, int k) {
    List<List<Hit>> out = new ArrayList<>(queries.count());
    if (snapshot.index() == null) {
      for (int q = 0; q < queries.count(); q++) {
        out.add(List.of());
      }
      return out;
    }
    TopK top = snapshot.index().topK(queries, Math.min(k, snapshot.size()), null);
    for (int q = 0; q < queries.count(); q++) {
      int[] ids = top.idsOf(q);
      float[] distances = top.distancesOf(q);
      List<Hit> hits = new ArrayList<>(ids.length);
      for (int j = 0; j < ids.length; j++) {
        Hit.Builder hit = Hit.newBuilder().setItemId(snapshot.itemId(ids[j]));
        hit.setDistance(distances[j]);
        if (snapshot.label(ids[j]) >= 0) {
          hit.setLabel(snapshot.label(ids[j]));
        }
        hits.add(hit.build());
      }
      out.add(hits);
    }
    return out;
  }
}
