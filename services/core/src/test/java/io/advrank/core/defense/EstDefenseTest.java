package io.advrank.core.defense;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.advrank.core.attack.AntiCollapseAdversary;
import io.advrank.core.attack.AttackEvaluation;
import io.advrank.core.attack.AttackSpec;
import io.advrank.core.attack.AttackType;
import io.advrank.core.attack.PgdSchedule;
import io.advrank.core.data.DataException;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.Fixtures;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelException;
import io.advrank.core.model.ModelManifest;
import io.advrank.core.model.ModelSpec;
import io.advrank.core.train.TrainSettings;
import io.advrank.core.train.TripletAdversary;
import io.advrank.core.train.TripletTrainer;
import io.advrank.core.train.Triplets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * EST and ACT fine-tuning make CA+ weaker than the same amount of clean fine-tuning does; ACT's
 * inner attack collapses positives onto negatives within ε and leaves the anchors clean.
 */
class EstDefenseTest {
  @TempDir Path tmp;

  @Test
  void estFineTuningMakesCandidateAttackWeaker() throws Exception {
    assertHardens(new EstDefense(new PgdSchedule(0.3, 0.03, 10)), "EST");
  }

  @Test
  void actFineTuningMakesCandidateAttackWeaker() throws Exception {
    assertHardens(new ActDefense(new PgdSchedule(0.3, 0.03, 10)), "ACT");
  }

  /**
   * The same fine-tuning budget of a vanilla model, clean or with {@code defense} (inner attack ε
   * 0.3, shortened to 10 steps of 0.03): CA+ at ε 0.1 must leave candidates 5 points further down.
   */
  private void assertHardens(Defense defense, String name) throws Exception {
    ImageDataset train = load(DatasetDirectory.Split.TRAIN).head(1000);
    ImageDataset test = load(DatasetDirectory.Split.TEST);
    TrainSettings settings = new TrainSettings(2, 100, 1e-3f, 1e-7f, 0.2f, 3);
    Path base = tmp.resolve("base");
    try (EmbeddingModel m = EmbeddingModel.create(ModelSpec.c2f1(1, 28, 28), 3, Device.cpu())) {
      new TripletTrainer(m, settings).fit(train);
      m.save(base, draft());
    }
    double vanilla = caPlusAfterFineTuning(base, null, train, test, settings);
    double defended = caPlusAfterFineTuning(base, defense, train, test, settings);
    System.out.printf(
        "CA+ (eps 0.1) rank after: vanilla %.1f%%, %s %.1f%%%n", vanilla, name, defended);
    assertTrue(defended > vanilla + 5, name + " " + defended + "% vs vanilla " + vanilla + "%");
  }

  @Test
  void actsInnerAttackCollapsesPositivesOntoNegativesWithinEpsilon() throws Exception {
    ImageDataset data = load(DatasetDirectory.Split.TEST).head(16);
    int[] labels = data.labels();
    Triplets triplets = Triplets.randomNegatives(labels, new java.util.Random(1));
    float eps = 0.1f;
    AntiCollapseAdversary adversary = new AntiCollapseAdversary(new PgdSchedule(eps, 0.01, 10));
    try (EmbeddingModel m = EmbeddingModel.create(ModelSpec.c2f1(1, 28, 28), 3, Device.cpu());
        NDManager manager = m.manager().newSubManager()) {
      float[] pixels = data.batch(java.util.stream.IntStream.range(0, 16).toArray());
      NDArray x = manager.create(pixels, EmbeddingModel.inputShape(m.spec(), 16));
      TripletAdversary.Batch batch = adversary.perturb(m, x, triplets);
      int t = triplets.size();
      assertEquals(16 + 2 * t, batch.triplets().images());
      assertArrayEquals(triplets.anchors(), batch.triplets().anchors(), "anchors stay clean rows");
      float[] out = batch.images().toFloatArray();
      int size = 28 * 28;
      for (int i = 0; i < 16 * size; i++) {
        assertEquals(pixels[i], out[i], "clean rows unchanged");
      }
      double before = 0;
      double after = 0;
      float[] e = m.embed(out, 16 + 2 * t).values();
      int dim = m.spec().embeddingSize();
      for (int k = 0; k < t; k++) {
        int p = triplets.positives()[k];
        int q = triplets.negatives()[k];
        int pt = batch.triplets().positives()[k];
        int qt = batch.triplets().negatives()[k];
        for (int j = 0; j < size; j++) {
          assertTrue(Math.abs(out[pt * size + j] - pixels[p * size + j]) <= eps, "p within eps");
          assertTrue(Math.abs(out[qt * size + j] - pixels[q * size + j]) <= eps, "n within eps");
        }
        before += 1 - dot(e, p, q, dim);
        after += 1 - dot(e, pt, qt, dim);
      }
      assertTrue(after < before * 0.8, "mean d(p, n) " + before / t + " -> " + after / t);
    }
  }

  private static double dot(float[] e, int a, int b, int dim) {
    double s = 0;
    for (int j = 0; j < dim; j++) {
      s += (double) e[a * dim + j] * e[b * dim + j];
    }
    return s;
  }

  @Test
  void describesItsInnerAttack() {
    assertEquals("est eps=0.3 alpha=0.01 iterations=30", EstDefense.of(0.3).describe());
    assertEquals(
        "act eps=0.3 alpha=0.01 iterations=30", new ActDefense(PgdSchedule.of(0.3)).describe());
    assertThrows(IllegalArgumentException.class, () -> EstDefense.of(0));
  }

  private static double caPlusAfterFineTuning(
      Path base, Defense defense, ImageDataset train, ImageDataset test, TrainSettings settings)
      throws ModelException {
    try (EmbeddingModel m = EmbeddingModel.load(base, Device.cpu())) {
      TripletTrainer trainer =
          defense == null ? new TripletTrainer(m, settings) : defense.trainer(m, settings, 0);
      trainer.fit(train);
      try (AttackEvaluation e = AttackEvaluation.of(m, test)) {
        return e.run(new AttackSpec(AttackType.CA_PLUS, 0.1, 1, 0), 64, 64, i -> {}).rankAfter();
      }
    }
  }

  private static ModelManifest draft() {
    return new ModelManifest(1, null, null, null, 0, null, null, null, "now", null, null, null);
  }

  private static ImageDataset load(DatasetDirectory.Split split) throws DataException {
    return DatasetDirectory.load(Fixtures.fashionMnistMini(), split);
  }
}
