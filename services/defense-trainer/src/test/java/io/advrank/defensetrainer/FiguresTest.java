package io.advrank.defensetrainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.advrank.core.attack.AttackProfile;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.EmbeddingModel;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * An evaluation stops at the next probe attack once the service stops, instead of measuring every
 * probe first (minutes on a busy CPU, past {@code cluster down}'s grace before SIGKILL).
 */
class FiguresTest {
  @Test
  void givesUpAtTheNextProbeAttackOnceStopping() throws Exception {
    ImageDataset heldOut =
        DatasetDirectory.load(DefenseTrainerIT.FIXTURE, DatasetDirectory.Split.TEST).head(40);
    int probes = Figures.probes(AttackProfile.PAPER).size();
    try (EmbeddingModel model = EmbeddingModel.load(DefenseTrainerIT.MODEL, Device.cpu())) {
      AtomicInteger asked = new AtomicInteger();
      Figures all =
          Figures.measure(
              model, heldOut, 4, AttackProfile.PAPER, () -> asked.incrementAndGet() < 0);
      assertEquals(probes, asked.get(), "asked once before each probe attack");
      assertTrue(all.robustness() >= 0, "every probe measured");

      AtomicInteger attacks = new AtomicInteger();
      // Stop requested while the first probe attack runs: the second is never started.
      assertThrows(
          Figures.Stopped.class,
          () ->
              Figures.measure(
                  model, heldOut, 4, AttackProfile.PAPER, () -> attacks.incrementAndGet() > 1));
      assertEquals(2, attacks.get(), "one probe attack ran of " + probes);
    }
  }
}
