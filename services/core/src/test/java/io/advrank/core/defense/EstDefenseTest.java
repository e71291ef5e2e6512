package io.advrank.core.defense;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
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
import io.advrank.core.train.TripletTrainer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EST fine-tuning makes CA+ weaker than the same amount of clean fine-tuning does. */
class EstDefenseTest {
  @TempDir Path tmp;

  @Test
  void estFineTuningMakesCandidateAttackWeaker() throws Exception {
    ImageDataset train = load(DatasetDirectory.Split.TRAIN).head(1000);
    ImageDataset test = load(DatasetDirectory.Split.TEST);
    TrainSettings settings = new TrainSettings(2, 100, 1e-3f, 1e-7f, 0.2f, 3);
    Path base = tmp.resolve("base");
    try (EmbeddingModel m = EmbeddingModel.create(ModelSpec.c2f1(1, 28, 28), 3, Device.cpu())) {
      new TripletTrainer(m, settings).fit(train);
      m.save(base, draft());
    }
    // The same fine-tuning budget, clean or with ES-PGD (ε 0.3, shortened to 10 steps of 0.03).
    EstDefense est = new EstDefense(new PgdSchedule(0.3, 0.03, 10));
    double vanilla = caPlusAfterFineTuning(base, null, train, test, settings);
    double defended = caPlusAfterFineTuning(base, est, train, test, settings);
    System.out.printf("CA+ (eps 0.1) rank after: vanilla %.1f%%, EST %.1f%%%n", vanilla, defended);
    assertTrue(defended > vanilla + 5, "EST " + defended + "% vs vanilla " + vanilla + "%");
  }

  @Test
  void describesItsInnerAttack() {
    assertEquals("est eps=0.3 alpha=0.01 iterations=30", EstDefense.of(0.3).describe());
    assertThrows(IllegalArgumentException.class, () -> EstDefense.of(0));
  }

  private static double caPlusAfterFineTuning(
      Path base, EstDefense est, ImageDataset train, ImageDataset test, TrainSettings settings)
      throws ModelException {
    try (EmbeddingModel m = EmbeddingModel.load(base, Device.cpu())) {
      TripletTrainer trainer =
          est == null ? new TripletTrainer(m, settings) : est.trainer(m, settings);
      trainer.fit(train);
      try (AttackEvaluation e = AttackEvaluation.of(m, test)) {
        return e.run(new AttackSpec(AttackType.CA_PLUS, 0.1, 1, 0), 64, 64, i -> {}).rankAfter();
      }
    }
  }

  private static ModelManifest draft() {
    return new ModelManifest(1, null, null, null, 0, null, null, null, "now", null, null);
  }

  private static ImageDataset load(DatasetDirectory.Split split) throws DataException {
    return DatasetDirectory.load(Fixtures.fashionMnistMini(), split);
  }
}
