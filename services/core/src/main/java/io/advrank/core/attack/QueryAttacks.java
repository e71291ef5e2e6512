package io.advrank.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.Autograd;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.core.ranking.GalleryIndex;
import java.util.Random;
import java.util.function.IntConsumer;

/**
 * The query attacks of robrank's suite beyond QA± ({@link RobrankSuite}): each perturbs test item q
 * (a query whose own clean copy is in the gallery and is left out of every ranking), batched, and
 * measures the figure robrank reports for it, before and after.
 */
final class QueryAttacks {
  enum Kind {
    TMA,
    ES,
    LTM,
    GTM,
    GTT
  }

  private final EmbeddingModel model;
  private final ImageDataset test;
  private final GalleryIndex index;
  private final Embeddings gallery;
  private final NDArray galleryT;
  private final PgdSchedule schedule;
  private final long seed;

  QueryAttacks(AttackEvaluation evaluation, NDArray galleryT, PgdSchedule schedule, long seed) {
    this.model = evaluation.model();
    this.test = evaluation.testSet();
    this.index = evaluation.index();
    this.gallery = index.embeddings();
    this.galleryT = galleryT;
    this.schedule = schedule;
    this.seed = seed;
  }

  /** Sums over the attacked items; figures are means (R@1 and GTT as fractions). */
  static final class Tally {
    private int n;
    private double after;
    private double before;
    private double shift;
    private double maxLinf;

    double maxLinf() {
      return maxLinf;
    }

    /** Writes the means into {@link RobrankScores#NAMES}-ordered arrays, in robrank's units. */
    void writeTo(Kind kind, double[] afterOut, double[] beforeOut) {
      double scale = kind == Kind.TMA ? 1 : 100;
      int slot =
          switch (kind) {
            case TMA -> 4;
            case ES -> 6;
            case LTM -> 7;
            case GTM -> 8;
            case GTT -> 9;
          };
      afterOut[slot] = scale * after / n;
      beforeOut[slot] = scale * before / n;
      if (kind == Kind.ES) {
        afterOut[5] = shift / n;
      }
    }
  }

  Tally run(Kind kind, int limit, int batchSize, IntConsumer progress) {
    Tally t = new Tally();
    for (int start = 0; start < limit; start += batchSize) {
      int end = Math.min(limit, start + batchSize);
      int[] items = java.util.stream.IntStream.range(start, end).toArray();
      batch(kind, items, t);
      progress.accept(end);
    }
    return t;
  }

  private void batch(Kind kind, int[] items, Tally t) {
    int b = items.length;
    int imageSize = test.imageSize();
    float[] pixels = new float[b * imageSize];
    for (int i = 0; i < b; i++) {
      System.arraycopy(test.image(items[i]), 0, pixels, i * imageSize, imageSize);
    }
    float[] cleanDist = index.distances(gallery.rows(items));
    int[] targets = targets(kind, items, cleanDist);
    float[] adv;
    Autograd.disableOnThisThread();
    try (NDManager m = galleryT.getManager().newSubManager()) {
      NDArray x0 = m.create(pixels, EmbeddingModel.inputShape(model.spec(), b));
      NDArray x = Pgd.run(model, x0, schedule, objective(kind, items, targets, x0, m));
      t.maxLinf = Math.max(t.maxLinf, RankingAttacker.linf(x.toFloatArray(), pixels));
      adv = model.forward(x, false).toFloatArray();
    }
    float[] advDist = index.distances(new Embeddings(adv, b, gallery.dim()));
    int n = gallery.count();
    for (int i = 0; i < b; i++) {
      int self = items[i];
      t.n++;
      switch (kind) {
        case TMA -> {
          t.after += cosine(adv, i, gallery.values(), targets[i]);
          t.before += cosine(gallery.values(), self, gallery.values(), targets[i]);
        }
        case ES, LTM, GTM -> {
          t.after += hit(advDist, i * n, self) ? 1 : 0;
          t.before += hit(cleanDist, i * n, self) ? 1 : 0;
          if (kind == Kind.ES) {
            t.shift += 1 - cosine(adv, i, gallery.values(), self);
          }
        }
        case GTT -> {
          t.after += rank(advDist, i * n, self, targets[i]) < RobrankSuite.GTT_RETAIN ? 1 : 0;
          t.before += 1;
        }
      }
    }
  }

  private Objective objective(Kind kind, int[] items, int[] targets, NDArray x0, NDManager m) {
    int b = items.length;
    return switch (kind) {
      case TMA, GTM ->
          new PullObjective(m.create(gallery.rows(targets).values(), new Shape(b, gallery.dim())));
      case ES -> new ShiftObjective(model.forward(x0, false));
      case LTM -> new MisrankObjective(galleryT, sameLabel(items, m));
      case GTT -> {
        long[] idx = java.util.Arrays.stream(targets).asLongStream().toArray();
        yield new QueryObjective(galleryT, m.create(idx, new Shape(b, 1)), null, false, 0f);
      }
    };
  }

  /**
   * TMA: a uniform gallery item other than q; GTM: the nearest item whose label differs from that
   * of q's top-1; GTT: q's top-1; none for ES and LTM.
   */
  private int[] targets(Kind kind, int[] items, float[] dist) {
    int n = gallery.count();
    int[] out = new int[items.length];
    for (int i = 0; i < items.length; i++) {
      int self = items[i];
      out[i] =
          switch (kind) {
            case TMA -> uniformOther(self, n);
            case GTT -> nearest(dist, i * n, self, -1);
            case GTM -> {
              int top1 = nearest(dist, i * n, self, -1);
              int other = nearest(dist, i * n, self, test.label(top1));
              if (other < 0) {
                throw new IllegalArgumentException("GTM: the gallery holds a single label");
              }
              yield other;
            }
            case ES, LTM -> -1;
          };
    }
    return out;
  }

  private int uniformOther(int self, int n) {
    int j = new Random(seed * 0x9E3779B97F4A7C15L + self).nextInt(n - 1);
    return j >= self ? j + 1 : j;
  }

  /** (B, N): 1 where gallery item j has item i's label. */
  private NDArray sameLabel(int[] items, NDManager m) {
    int n = gallery.count();
    float[] mask = new float[items.length * n];
    for (int i = 0; i < items.length; i++) {
      int y = test.label(items[i]);
      for (int j = 0; j < n; j++) {
        mask[i * n + j] = test.label(j) == y ? 1f : 0f;
      }
    }
    return m.create(mask, new Shape(items.length, n));
  }

  /**
   * The nearest gallery item other than {@code self} in the row at {@code off}, skipping items of
   * label {@code notLabel} (−1: none skipped); ties go to the lower index; −1 if there is none.
   */
  private int nearest(float[] dist, int off, int self, int notLabel) {
    int best = -1;
    for (int j = 0; j < gallery.count(); j++) {
      if (j != self
          && (notLabel < 0 || test.label(j) != notLabel)
          && (best < 0 || dist[off + j] < dist[off + best])) {
        best = j;
      }
    }
    return best;
  }

  /** R@1 with q's own copy left out: q's nearest other item shares its label. */
  private boolean hit(float[] dist, int off, int self) {
    return test.label(nearest(dist, off, self, -1)) == test.label(self);
  }

  /** 0-based rank of {@code target} among the items other than {@code self}. */
  private int rank(float[] dist, int off, int self, int target) {
    int ahead = 0;
    for (int j = 0; j < gallery.count(); j++) {
      if (j != self && j != target && dist[off + j] < dist[off + target]) {
        ahead++;
      }
    }
    return ahead;
  }

  /** cos(a_i, b_j) between row i of {@code a} and row j of {@code b}, in double. */
  private double cosine(float[] a, int i, float[] b, int j) {
    int d = gallery.dim();
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int k = 0; k < d; k++) {
      double x = a[i * d + k];
      double y = b[j * d + k];
      dot += x * y;
      na += x * x;
      nb += y * y;
    }
    return dot / Math.sqrt(na * nb);
  }
}
