package io.advrank.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.advrank.core.model.Autograd;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the paper's attacks ({@link AttackType}) against one model and gallery X. One call attacks a
 * whole batch of independent items with a single PGD run (one forward and backward per step); each
 * item's loss is its own mean, so its result does not depend on the rest of the batch.
 *
 * <p>Java arrays in, Java arrays out. Holds a native copy of the gallery: close it when done. Only
 * one gradient collector may be open per JVM, so attack from one thread at a time.
 */
public final class RankingAttacker implements AutoCloseable {
  private final EmbeddingModel model;
  private final Embeddings gallery;
  private final NDManager manager;
  private final NDArray galleryT;

  private RankingAttacker(EmbeddingModel model, Embeddings gallery) {
    if (gallery.dim() != model.spec().embeddingSize()) {
      throw new IllegalArgumentException(
          "gallery: embedding size "
              + gallery.dim()
              + " differs from the model's "
              + model.spec().embeddingSize());
    }
    this.model = model;
    this.gallery = gallery;
    this.manager = model.manager().newSubManager();
    this.galleryT =
        manager.create(gallery.values(), new Shape(gallery.count(), gallery.dim())).transpose();
  }

  /** An attacker for {@code model} whose ranking is over {@code gallery} (clean embeddings). */
  public static RankingAttacker of(EmbeddingModel model, Embeddings gallery) {
    return new RankingAttacker(model, gallery);
  }

  /** |X|, the number of gallery items. */
  public int gallerySize() {
    return gallery.count();
  }

  /**
   * Attacks every request with {@code spec}'s type and ε and measures PGD's float output ({@link
   * PixelDepth#FLOAT32}, the paper's protocol); results in request order.
   */
  public List<AttackResult> attack(AttackSpec spec, List<AttackRequest> batch) {
    return attack(spec, batch, PixelDepth.FLOAT32);
  }

  /**
   * Attacks every request with {@code spec}'s type and ε; the adversarial images are delivered, and
   * their rank shifts measured, at {@code depth}. Results in request order.
   */
  public List<AttackResult> attack(AttackSpec spec, List<AttackRequest> batch, PixelDepth depth) {
    validate(spec, batch);
    int b = batch.size();
    int imageSize = model.spec().imageSize();
    float[] pixels = new float[b * imageSize];
    for (int i = 0; i < b; i++) {
      System.arraycopy(batch.get(i).pixels(), 0, pixels, i * imageSize, imageSize);
    }
    Autograd.disableOnThisThread();
    try (NDManager m = manager.newSubManager()) {
      NDArray x0 = m.create(pixels, EmbeddingModel.inputShape(model.spec(), b));
      NDArray clean = model.forward(x0, false);
      Objective objective = objective(spec, batch, clean, m);
      NDArray pgd = Pgd.run(model, x0, spec.schedule(), objective);
      float[] pgdPixels = pgd.toFloatArray();
      float[] advPixels =
          depth == PixelDepth.UINT8
              ? EightBit.quantise(pgdPixels, pixels, spec.epsilon())
              : pgdPixels;
      NDArray adv = depth == PixelDepth.UINT8 ? m.create(advPixels, pgd.getShape()) : pgd;
      NDArray advEmb = model.forward(adv, false);
      long[] self = batch.stream().mapToLong(AttackRequest::self).toArray();
      float[] before =
          objective.cleanRankPercent(withGalleryRows(clean, self, m), self).toFloatArray();
      float[] after = objective.rankPercent(advEmb).toFloatArray();
      // What the float image would have reached: the cost of quantisation, for reports.
      float[] afterFloat =
          adv == pgd ? after : objective.rankPercent(model.forward(pgd, false)).toFloatArray();
      float[] shift = advEmb.mul(clean).sum(new int[] {1}).neg().add(1f).toFloatArray();
      List<AttackResult> out = new ArrayList<>(b);
      for (int i = 0; i < b; i++) {
        float[] p = new float[imageSize];
        System.arraycopy(advPixels, i * imageSize, p, 0, imageSize);
        double linf = linf(p, batch.get(i).pixels());
        out.add(
            new AttackResult(
                p,
                before[i],
                after[i],
                shift[i],
                linf,
                success(spec.type(), before[i], after[i], shift[i]),
                afterFloat[i]));
      }
      return out;
    }
  }

  private Objective objective(
      AttackSpec spec, List<AttackRequest> batch, NDArray clean, NDManager m) {
    AttackType type = spec.type();
    return switch (type.role()) {
      case CANDIDATE -> new CandidateObjective(queryEmbeddings(batch, m), galleryT, type.raises());
      case QUERY ->
          new QueryObjective(
              galleryT,
              indices(batch, false, m),
              type.semanticsPreserving() ? indices(batch, true, m) : null,
              type.raises(),
              type.xi());
      case SHIFT -> new ShiftObjective(clean);
    };
  }

  /** {@code clean} with row i replaced by gallery row self[i] where that is known. */
  private NDArray withGalleryRows(NDArray clean, long[] self, NDManager m) {
    float[] e = clean.toFloatArray();
    int d = gallery.dim();
    for (int i = 0; i < self.length; i++) {
      if (self[i] >= 0) {
        System.arraycopy(gallery.values(), (int) self[i] * d, e, i * d, d);
      }
    }
    return m.create(e, clean.getShape());
  }

  /** (B, w, D) embeddings of each item's query set. */
  private NDArray queryEmbeddings(List<AttackRequest> batch, NDManager m) {
    int w = batch.get(0).targets().length;
    int d = gallery.dim();
    float[] q = new float[batch.size() * w * d];
    for (int i = 0; i < batch.size(); i++) {
      Embeddings rows = gallery.rows(batch.get(i).targets());
      System.arraycopy(rows.values(), 0, q, i * w * d, w * d);
    }
    return m.create(q, new Shape(batch.size(), w, d));
  }

  /** (B, k) int64 gallery indices: the targets, or the SP set with {@code preserve}. */
  private static NDArray indices(List<AttackRequest> batch, boolean preserve, NDManager m) {
    int k = (preserve ? batch.get(0).preserve() : batch.get(0).targets()).length;
    long[] idx = new long[batch.size() * k];
    for (int i = 0; i < batch.size(); i++) {
      int[] row = preserve ? batch.get(i).preserve() : batch.get(i).targets();
      for (int j = 0; j < k; j++) {
        idx[i * k + j] = row[j];
      }
    }
    return m.create(idx, new Shape(batch.size(), k));
  }

  private void validate(AttackSpec spec, List<AttackRequest> batch) {
    if (batch.isEmpty()) {
      throw new IllegalArgumentException("batch: no attack requests");
    }
    AttackType type = spec.type();
    int imageSize = model.spec().imageSize();
    int preserveSize = batch.get(0).preserve().length;
    for (AttackRequest r : batch) {
      if (r.pixels().length != imageSize) {
        throw new IllegalArgumentException(
            "pixels: " + r.pixels().length + " values, the model takes " + model.spec().describe());
      }
      int expected = type.role() == AttackType.Role.SHIFT ? 0 : spec.size();
      if (r.targets().length != expected) {
        throw new IllegalArgumentException(
            "targets: "
                + type
                + " with size "
                + spec.size()
                + " needs "
                + expected
                + " targets per request, got "
                + r.targets().length);
      }
      checkIndices("targets", r.targets());
      checkIndices("preserve", r.preserve());
      if (r.self() >= gallery.count()) {
        throw new IllegalArgumentException(
            "self: gallery index " + r.self() + " is outside 0.." + (gallery.count() - 1));
      }
      if (r.preserve().length != preserveSize) {
        throw new IllegalArgumentException(
            "preserve: every request of a batch needs the same number of SP items");
      }
    }
    if (type.semanticsPreserving() && preserveSize == 0) {
      throw new IllegalArgumentException("preserve: " + type + " needs the query's top-5 (C_SP)");
    }
    if (spec.size() > gallery.count()) {
      throw new IllegalArgumentException(
          "size: must be in 1.." + gallery.count() + " for this gallery, was " + spec.size());
    }
  }

  private void checkIndices(String name, int[] idx) {
    for (int i : idx) {
      if (i < 0 || i >= gallery.count()) {
        throw new IllegalArgumentException(
            name + ": gallery index " + i + " is outside 0.." + (gallery.count() - 1));
      }
    }
  }

  private static boolean success(AttackType type, double before, double after, double shift) {
    if (type.role() == AttackType.Role.SHIFT) {
      return shift > 0;
    }
    return type.raises() ? after < before : after > before;
  }

  /** ‖a − b‖∞ in double, so the bound check is exact for the stored floats. */
  static double linf(float[] a, float[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs((double) a[i] - b[i]));
    }
    return max;
  }

  @Override
  public void close() {
    manager.close();
  }
}
