package io.advrank.cli;

import io.advrank.core.attack.AttackRequest;
import io.advrank.core.attack.AttackResult;
import io.advrank.core.attack.AttackSpec;
import io.advrank.core.attack.AttackType;
import io.advrank.core.attack.RankingAttacker;
import io.advrank.core.attack.TargetSampler;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.core.ranking.GalleryIndex;
import io.advrank.core.ranking.TopK;
import io.advrank.proto.v1.Hit;
import io.advrank.proto.v1.RankingResult;
import io.advrank.ranker.FeatureSqueeze;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The marketplace of {@code bench detect}: a catalog (the first {@code catalog} test images, item
 * ids {@code item-<row>}), popular queries (photos of the first {@code pool} catalog items), the
 * ranker's answer to a query (top-k by cosine distance, with the ranker's own feature-squeezing
 * consistency score) and the adversary (core's PGD attacks with the paper's target sampling; CA+
 * aims each candidate at one popular query, the seller's obvious choice).
 */
final class DetectScenario implements AutoCloseable {
  private static final int ATTACK_BATCH = 64;

  private final EmbeddingModel model;
  private final ImageDataset data;
  private final int pool;
  private final int k;
  private final Embeddings clean;
  private final GalleryIndex cleanIndex;
  private final RankingAttacker attacker;
  private final FeatureSqueeze squeeze;

  DetectScenario(EmbeddingModel model, ImageDataset data, int catalog, int pool, int k) {
    if (catalog > data.size()) {
      throw new IllegalArgumentException(
          "--catalog: must be at most the test split's " + data.size() + " images, was " + catalog);
    }
    if (pool < 1 || pool >= catalog) {
      throw new IllegalArgumentException(
          "--pool: must be 1.." + (catalog - 1) + " (popular catalog items), was " + pool);
    }
    this.model = model;
    this.data = data.head(catalog);
    this.pool = pool;
    this.k = k;
    this.clean = model.embed(this.data.batch(range(0, catalog)), catalog);
    this.cleanIndex = GalleryIndex.of(clean);
    this.attacker = RankingAttacker.of(model, clean);
    this.squeeze = FeatureSqueeze.of(model.spec());
  }

  int catalogSize() {
    return data.size();
  }

  int poolSize() {
    return pool;
  }

  GalleryIndex cleanIndex() {
    return cleanIndex;
  }

  float[] pixels(int[] rows) {
    return data.batch(rows);
  }

  /** The ranker's results for queries of the given rows' labels, one query id each. */
  List<RankingResult> rank(GalleryIndex index, float[] pixels, int[] rows, String[] queryIds) {
    int n = rows.length;
    Embeddings embedded = model.embed(pixels, n);
    float[] scores = squeeze.scores(model, pixels, n, embedded);
    TopK top = index.topK(embedded, k, null);
    List<RankingResult> out = new ArrayList<>(n);
    for (int q = 0; q < n; q++) {
      RankingResult.Builder r =
          RankingResult.newBuilder()
              .setQueryId(queryIds[q])
              .setQueryEventId(queryIds[q])
              .setQueryLabel(data.label(rows[q]))
              .setModelVersion(model.version())
              .setGallerySize(index.size())
              .setConsistencyScore(scores[q]);
      int[] ids = top.idsOf(q);
      float[] distances = top.distancesOf(q);
      for (int j = 0; j < ids.length; j++) {
        r.addHits(
            Hit.newBuilder()
                .setItemId("item-" + ids[j])
                .setDistance(distances[j])
                .setLabel(data.label(ids[j])));
      }
      out.add(r.build());
    }
    return out;
  }

  /** Perturbs the images of {@code rows} (catalog rows) with {@code spec}; concatenated pixels. */
  float[] attack(AttackSpec spec, int[] rows, Random random) {
    List<TargetSampler.Targets> targets = new TargetSampler(cleanIndex).sample(spec, rows);
    int size = model.spec().imageSize();
    float[] out = new float[rows.length * size];
    for (int start = 0; start < rows.length; start += ATTACK_BATCH) {
      List<AttackRequest> batch = new ArrayList<>();
      for (int i = start; i < Math.min(rows.length, start + ATTACK_BATCH); i++) {
        int[] chosen = targets.get(i).targets();
        if (spec.type() == AttackType.CA_PLUS) {
          chosen = new int[] {popularOtherThan(rows[i], random)};
        }
        batch.add(
            new AttackRequest(data.image(rows[i]), chosen, targets.get(i).preserve(), rows[i]));
      }
      List<AttackResult> results = attacker.attack(spec, batch);
      for (int j = 0; j < results.size(); j++) {
        System.arraycopy(results.get(j).perturbed(), 0, out, (start + j) * size, size);
      }
    }
    return out;
  }

  /** A gallery in which {@code rows} were re-uploaded as {@code pixels}. */
  GalleryIndex reupload(int[] rows, float[] pixels) {
    Embeddings fresh = model.embed(pixels, rows.length);
    float[] values = clean.values().clone();
    int dim = clean.dim();
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(fresh.values(), i * dim, values, rows[i] * dim, dim);
    }
    return GalleryIndex.of(new Embeddings(values, clean.count(), dim));
  }

  private int popularOtherThan(int row, Random random) {
    while (true) {
      int q = random.nextInt(pool);
      if (q != row) {
        return q;
      }
    }
  }

  static int[] range(int from, int to) {
    int[] out = new int[to - from];
    for (int i = 0; i < out.length; i++) {
      out[i] = from + i;
    }
    return out;
  }

  @Override
  public void close() {
    attacker.close();
    cleanIndex.close();
  }
}
