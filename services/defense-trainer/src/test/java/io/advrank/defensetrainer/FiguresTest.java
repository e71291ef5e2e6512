package io.advrank.defensetrainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.advrank.core.attack.AttackProfile;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.EmbeddingModel;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The gate's figures on the shipped vanilla model and the fixture: with and without ERS, and an
 * evaluation that stops at the next probe attack once the service stops, instead of measuring every
 * probe first (minutes on a busy CPU, past {@code cluster down}'s grace before SIGKILL).
 */
class FiguresTest {
  @Test
  void withErsAlsoScoresTheProbeItemsByRobranksSuite() throws Exception {
    ImageDataset heldOut =
        DatasetDirectory.load(DefenseTrainerIT.FIXTURE, DatasetDirectory.Split.TEST);
    try (EmbeddingModel model = EmbeddingModel.load(DefenseTrainerIT.MODEL, Device.cpu())) {
      Figures plain = Figures.measure(model, heldOut, 4, AttackProfile.PAPER);
      Figures withErs = Figures.measure(model, heldOut, 4, AttackProfile.PAPER, true, () -> false);
      assertThrows(IllegalStateException.class, plain::ers);
      assertEquals(plain.robustness(), withErs.robustness(), 1e-9, "the probes are unchanged");
      // An undefended model: robrank's own vanilla cosine model scores ERS 8.2 on Fashion-MNIST,
      // one that no attack moved would score 100.
      assertTrue(withErs.ers() > 0 && withErs.ers() < 40, "ERS " + withErs.ers());
      assertTrue(
          withErs.ers() < GateMetric.ERS.of(new Figures(Map.of(Figures.ERS, 100.0))),
          "GateMetric.ERS reads the figure");
    }
  }

  @Test
  void givesUpAtTheNextProbeAttackOnceStopping() throws Exception {
    ImageDataset heldOut =
        DatasetDirectory.load(DefenseTrainerIT.FIXTURE, DatasetDirectory.Split.TEST).head(40);
    int probes = Figures.probes(AttackProfile.PAPER).size();
    try (EmbeddingModel model = EmbeddingModel.load(DefenseTrainerIT.MODEL, Device.cpu())) {
      AtomicInteger asked = new AtomicInteger();
      Figures all =
          Figures.measure(
              model, heldOut, 4, AttackProfile.PAPER, false, () -> asked.incrementAndGet() < 0);
      assertEquals(probes, asked.get(), "asked once before each probe attack");
      assertTrue(all.robustness() >= 0, "every probe measured");

      AtomicInteger attacks = new AtomicInteger();
      // Stop requested while the first probe attack runs: the second is never started.
      assertThrows(
          Figures.Stopped.class,
          () ->
              Figures.measure(
                  model,
                  heldOut,
                  4,
                  AttackProfile.PAPER,
                  false,
                  () -> attacks.incrementAndGet() > 1));
      assertEquals(2, attacks.get(), "one probe attack ran of " + probes);
    }
  }
}
