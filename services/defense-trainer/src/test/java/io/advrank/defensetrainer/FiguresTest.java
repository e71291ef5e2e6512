package io.advrank.defensetrainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.advrank.core.attack.AttackProfile;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.EmbeddingModel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The gate's figures with and without ERS, on the shipped vanilla model and the fixture. */
class FiguresTest {
  private static final Path FIXTURE =
      Path.of("../core/src/test/resources/fixtures/fashion-mnist-mini");

  @Test
  void withErsAlsoScoresTheProbeItemsByRobranksSuite() throws Exception {
    ImageDataset heldOut = DatasetDirectory.load(FIXTURE, DatasetDirectory.Split.TEST);
    try (EmbeddingModel model = EmbeddingModel.load(DefenseTrainerIT.MODEL, Device.cpu())) {
      Figures plain = Figures.measure(model, heldOut, 4, AttackProfile.PAPER, false);
      Figures withErs = Figures.measure(model, heldOut, 4, AttackProfile.PAPER, true);
      assertThrows(IllegalStateException.class, plain::ers);
      assertEquals(plain.robustness(), withErs.robustness(), 1e-9, "the probes are unchanged");
      // An undefended model: robrank's own vanilla cosine model scores ERS 8.2 on Fashion-MNIST,
      // one that no attack moved would score 100.
      assertTrue(withErs.ers() > 0 && withErs.ers() < 40, "ERS " + withErs.ers());
      assertTrue(
          withErs.ers() < GateMetric.ERS.of(new Figures(java.util.Map.of(Figures.ERS, 100.0))),
          "GateMetric.ERS reads the figure");
    }
  }
}
