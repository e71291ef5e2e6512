package io.advrank.cli.bench;

import io.advrank.core.attack.AttackRequest;
import io.advrank.core.attack.AttackResult;
import io.advrank.core.attack.AttackSpec;
import io.advrank.core.attack.AttackType;
import io.advrank.core.attack.RankingAttacker;
import io.advrank.core.attack.TargetSampler;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.detection.FeatureSqueeze;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.core.ranking.GalleryIndex;
import io.advrank.core.ranking.TopK;
import io.advrank.proto.v1.CatalogObservation;
import io.advrank.proto.v1.Hit;
import io.advrank.proto.v1.RankingResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The marketplace of {@code bench detect}: a catalog (the first {@code catalog} test images, item
 * ids {@code item-<row>}), shoppers' queries (other test images, never in the catalog), the
 * ranker's answer to a query (top-k by cosine distance, with the ranker's own feature-squeezing
 * consistency score) and the adversary (core's PGD attacks; targets sampled as in docs/method.md
 * and the attack-worker: C uniform for QA+, from the query's top-1% for QA-, C_SP its other top-5).
 */
final class DetectScenario implements AutoCloseable {
  private static final int ATTACK_BATCH = 64;

  private final EmbeddingModel model;
  private final ImageDataset data;
  private final int catalog;
  private final int k;
  private final Embeddings clean;
  private final GalleryIndex cleanIndex;
  private final RankingAttacker attacker;
  private final FeatureSqueeze photoSqueeze;
  private final FeatureSqueeze querySqueeze;

  DetectScenario(EmbeddingModel model, ImageDataset data, int catalog, int k) {
    if (catalog < 100 || catalog >= data.size()) {
      throw new IllegalArgumentException(
          "--catalog: must be 100.." + (data.size() - 1) + " (test images), was " + catalog);
    }
    this.model = model;
    this.data = data;
    this.catalog = catalog;
    this.k = k;
    this.clean = model.embed(data.batch(range(0, catalog)), catalog);
    this.cleanIndex = GalleryIndex.of(clean);
    this.attacker = RankingAttacker.of(model, clean);
    // As the ranker: the joint squeezer for catalog photos, 4-bit rounding for queries.
    this.photoSqueeze = FeatureSqueeze.joint(model.spec());
    this.querySqueeze = FeatureSqueeze.of(model.spec());
  }

  /** The share of the photos and queries scored so far that had a flat dark or white background. */
  double flatBackgroundShare() {
    long flat = photoSqueeze.scored(true) + querySqueeze.scored(true);
    long none = photoSqueeze.scored(false) + querySqueeze.scored(false);
    return flat + none == 0 ? Double.NaN : (double) flat / (flat + none);
  }

  int catalogSize() {
    return catalog;
  }

  /** Test images outside the catalog: where queries come from. */
  int queryImages() {
    return data.size() - catalog;
  }

  GalleryIndex cleanIndex() {
    return cleanIndex;
  }

  float[] pixels(int[] rows) {
    return data.batch(rows);
  }

  /**
   * What the ranker publishes when catalog rows are uploaded as {@code pixels}: each photo's
   * consistency score and, as a re-upload, its embedding's jump from the clean photo's.
   */
  List<CatalogObservation> observe(int[] rows, float[] pixels, boolean reupload) {
    Embeddings embedded = model.embed(pixels, rows.length);
    float[] scores = photoSqueeze.scores(model, pixels, rows.length, embedded);
    List<CatalogObservation> out = new ArrayList<>(rows.length);
    for (int i = 0; i < rows.length; i++) {
      CatalogObservation.Builder o =
          CatalogObservation.newBuilder()
              .setItemId("item-" + rows[i])
              .setEventId("upload-" + rows[i] + (reupload ? "-again" : ""))
              .setModelVersion(model.version())
              .setConsistencyScore(scores[i]);
      if (reupload) {
        o.setEmbeddingJump((float) (1 - dot(clean.row(rows[i]), embedded.row(i))));
      }
      out.add(o.build());
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

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  /** The ranker's results for queries (test rows give their labels), one query id each. */
  List<RankingResult> rank(GalleryIndex index, float[] pixels, int[] rows, String[] queryIds) {
    int n = rows.length;
    Embeddings embedded = model.embed(pixels, n);
    float[] scores = querySqueeze.scores(model, pixels, n, embedded);
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

  /** Perturbs query images (test rows outside the catalog) with {@code spec}; concatenated. */
  float[] attackQueries(AttackSpec spec, int[] rows, Random random) {
    AttackType type = spec.type();
    int pool = TargetSampler.neighbourPool(catalog, spec.size());
    int depth = Math.max(pool, spec.size() + TargetSampler.SP_SIZE);
    TopK top = cleanIndex.topK(model.embed(data.batch(rows), rows.length), depth, null);
    List<AttackRequest> requests = new ArrayList<>();
    for (int i = 0; i < rows.length; i++) {
      int[] neighbours = top.idsOf(i);
      int[] targets =
          type.targetsNeighbours()
              ? new int[] {neighbours[random.nextInt(pool)]}
              : new int[] {random.nextInt(catalog)};
      int[] preserve =
          type.semanticsPreserving()
              ? Arrays.stream(neighbours)
                  .filter(n -> n != targets[0])
                  .limit(TargetSampler.SP_SIZE)
                  .toArray()
              : new int[0];
      requests.add(new AttackRequest(data.image(rows[i]), targets, preserve));
    }
    return attack(spec, requests);
  }

  /** Perturbs catalog items' photos (gallery rows) with {@code spec}; concatenated. */
  float[] attackItems(AttackSpec spec, int[] rows) {
    List<TargetSampler.Targets> targets = new TargetSampler(cleanIndex).sample(spec, rows);
    List<AttackRequest> requests = new ArrayList<>();
    for (int i = 0; i < rows.length; i++) {
      requests.add(
          new AttackRequest(
              data.image(rows[i]), targets.get(i).targets(), targets.get(i).preserve(), rows[i]));
    }
    return attack(spec, requests);
  }

  private float[] attack(AttackSpec spec, List<AttackRequest> requests) {
    int size = model.spec().imageSize();
    float[] out = new float[requests.size() * size];
    for (int start = 0; start < requests.size(); start += ATTACK_BATCH) {
      List<AttackRequest> batch =
          requests.subList(start, Math.min(requests.size(), start + ATTACK_BATCH));
      List<AttackResult> results = attacker.attack(spec, batch);
      for (int j = 0; j < results.size(); j++) {
        System.arraycopy(results.get(j).perturbed(), 0, out, (start + j) * size, size);
      }
    }
    return out;
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
