package io.advrank.attackworker;

import io.advrank.core.attack.RankingAttacker;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.core.ranking.GalleryIndex;
import java.util.HashMap;
import java.util.Map;

/**
 * One immutable version of the gallery X the attacks rank against: the clean embeddings of the
 * catalog items seen on {@code advrank.catalog}, a search index over them (for the targets of CA-
 * and QA- and the kept top-5 of SP-QA±) and an attacker holding its native copy. Confined to the
 * worker thread; closed when a newer version replaces it.
 */
final class AttackGallery implements AutoCloseable {
  private final EmbeddingModel model;
  private final String[] itemIds;
  private final String[] eventIds;
  private final Map<String, Integer> rowOf;
  private final Embeddings embeddings;
  private final GalleryIndex index; // null while empty
  private final RankingAttacker attacker; // null while empty

  private AttackGallery(EmbeddingModel model, String[] itemIds, String[] eventIds, Embeddings e) {
    this.model = model;
    this.itemIds = itemIds;
    this.eventIds = eventIds;
    this.embeddings = e;
    this.rowOf = new HashMap<>();
    for (int i = 0; i < itemIds.length; i++) {
      rowOf.put(itemIds[i], i);
    }
    this.index = e.count() == 0 ? null : GalleryIndex.of(e, model.manager().getDevice());
    this.attacker = e.count() == 0 ? null : RankingAttacker.of(model, e);
  }

  /**
   * Indexes the given rows; row i is item {@code itemIds[i]}, embedded from {@code eventIds[i]}.
   */
  static AttackGallery of(
      EmbeddingModel model, String[] itemIds, String[] eventIds, Embeddings embeddings) {
    return new AttackGallery(model, itemIds, eventIds, embeddings);
  }

  int size() {
    return itemIds.length;
  }

  /** The model version that embedded this gallery: attacks on it use its gradients. */
  EmbeddingModel model() {
    return model;
  }

  String itemId(int row) {
    return itemIds[row];
  }

  /** The row of {@code itemId}, or -1. */
  int rowOf(String itemId) {
    return rowOf.getOrDefault(itemId, -1);
  }

  /**
   * The row holding exactly this event's clean image, or -1: an older upload of the same item is
   * not the item's clean copy, so its rank would not be exact.
   */
  int selfRow(String itemId, String eventId) {
    int row = rowOf(itemId);
    return row >= 0 && eventIds[row].equals(eventId) ? row : -1;
  }

  Embeddings embeddings() {
    return embeddings;
  }

  GalleryIndex index() {
    return index;
  }

  RankingAttacker attacker() {
    return attacker;
  }

  @Override
  public void close() {
    if (attacker != null) {
      attacker.close();
      index.close();
    }
  }
}
