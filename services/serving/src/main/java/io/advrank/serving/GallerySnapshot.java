package io.advrank.serving;

import ai.djl.Device;
import io.advrank.core.attack.RankingAttacker;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.core.ranking.GalleryIndex;
import io.advrank.serving.CatalogStore.Rows;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One immutable version of the mirrored catalog X: the embeddings of its items, a {@link
 * GalleryIndex} over them (native memory), the item ids, event ids and labels of its rows, the
 * model version that embedded them and, for a mirror built with {@link
 * CatalogMirrorBuilder#optAttacker}, a {@link RankingAttacker} over the same rows. Whatever is
 * ranked against a snapshot must be embedded with {@link #model()}, so a hot swap never mixes two
 * embedding spaces.
 *
 * <p>Reference counted, because the mirror replaces the snapshot while another thread may still
 * work on it: the mirror holds one reference, every user takes one with {@link
 * CatalogMirror#acquire()} and gives it back with {@link #release()}; the native index, the
 * attacker and the mirror's hold on the model go with the last reference.
 */
public final class GallerySnapshot {
  private final Rows rows;
  private final Map<String, Integer> rowOf = new HashMap<>();
  private final GalleryIndex index; // null when the catalog is empty
  private final RankingAttacker attacker; // null when empty or not asked for
  private final SharedModel model;
  private final AtomicInteger references = new AtomicInteger(1);

  private GallerySnapshot(Rows rows, SharedModel model, boolean withAttacker) {
    this.rows = rows;
    this.model = model;
    for (int i = 0; i < rows.size(); i++) {
      rowOf.put(rows.ids()[i], i);
    }
    EmbeddingModel m = model.model();
    // Attacks run where the model's gradients are: its index lives there too; a search index on
    // the CPU.
    Device device = withAttacker ? m.device() : Device.cpu();
    this.index = rows.size() == 0 ? null : GalleryIndex.of(rows.embeddings(), device);
    this.attacker =
        rows.size() == 0 || !withAttacker ? null : RankingAttacker.of(m, rows.embeddings());
  }

  /**
   * Indexes {@code rows}, embedded with {@code model}, which it retains until freed; the caller
   * holds the first reference.
   */
  static GallerySnapshot of(Rows rows, SharedModel model, boolean withAttacker) {
    return new GallerySnapshot(rows, model.retain(), withAttacker);
  }

  /** The model that embedded this catalog: what is ranked against it must be embedded with it. */
  public EmbeddingModel model() {
    return model.model();
  }

  /** The version of {@link #model()}. */
  public String modelVersion() {
    return model.version();
  }

  /** Items in the catalog, |X|. */
  public int size() {
    return rows.size();
  }

  /** The clean embeddings, row i being item {@link #itemId(int) itemId(i)}. */
  public Embeddings embeddings() {
    return rows.embeddings();
  }

  /** The search index over {@link #embeddings()}; null when the catalog is empty. */
  public GalleryIndex index() {
    return index;
  }

  /**
   * An attacker ranking over {@link #embeddings()} with {@link #model()}; null when the catalog is
   * empty or the mirror was not built with {@link CatalogMirrorBuilder#optAttacker}.
   */
  public RankingAttacker attacker() {
    return attacker;
  }

  public String itemId(int row) {
    return rows.ids()[row];
  }

  /** The label of the row's item, or -1 when its event carried none. */
  public int label(int row) {
    return rows.labels()[row];
  }

  /** The row of {@code itemId}, or -1. */
  public int rowOf(String itemId) {
    return rowOf.getOrDefault(itemId, -1);
  }

  /**
   * The row holding exactly this event's clean image, or -1: an older upload of the same item is
   * not the item's clean copy, so its rank would not be exact.
   */
  public int selfRow(String itemId, String eventId) {
    int row = rowOf(itemId);
    return row >= 0 && rows.eventIds()[row].equals(eventId) ? row : -1;
  }

  /** Takes a reference; false if the snapshot was already freed (take the newer one instead). */
  boolean tryAcquire() {
    while (true) {
      int n = references.get();
      if (n == 0) {
        return false;
      }
      if (references.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** Gives a reference back; the last one frees the native index and attacker. */
  public void release() {
    int left = references.decrementAndGet();
    if (left == 0) {
      if (attacker != null) {
        attacker.close();
      }
      if (index != null) {
        index.close();
      }
      model.release();
    } else if (left < 0) {
      throw new IllegalStateException("gallery snapshot released more often than acquired");
    }
  }
}
