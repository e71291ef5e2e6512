package io.advrank.defensetrainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelManifest;
import io.advrank.proto.v1.ModelDecision;
import io.advrank.runtime.model.AssembledModel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Train steps, evaluation and the gate's decision on the shipped C2F1 model, without Kafka: what
 * each outcome does to the candidate and the parent.
 */
class HardeningRoundTest {
  private static ImageDataset images;
  private static AssembledModel start;
  private HardeningRound round;

  @BeforeAll
  static void load() throws Exception {
    images = TrainerFixture.images(200);
    start = Versions.fromDirectory(DefenseTrainerIT.MODEL);
  }

  @AfterEach
  void close() {
    if (round != null) {
      round.close();
    }
  }

  private HardeningRound round(Gate gate) throws Exception {
    round =
        new HardeningRound(
            start,
            TrainerFixture.settings(Map.of()),
            gate,
            Clock.systemUTC(),
            new DefenseTrainerMetrics(new SimpleMeterRegistry()),
            () -> false);
    for (int i = 0; i < images.size(); i++) {
      round.buffer().addCatalog("item-" + i, images.image(i), images.label(i));
    }
    return round;
  }

  /** Two steps: the evaluation falls due. */
  private void train() {
    assertTrue(round.ready());
    assertFalse(round.evaluationDue(), "nothing trained yet");
    round.step();
    round.step();
    assertTrue(round.evaluationDue(), "eval.steps = 2");
  }

  /** The candidate's embeddings of a few images. */
  private float[] candidateEmbeds() {
    return round.candidate().embed(images.head(8)).values();
  }

  private static float[] embeds(AssembledModel version) throws Exception {
    try (EmbeddingModel m = Versions.open(version, Device.cpu())) {
      return m.embed(images.head(8)).values();
    }
  }

  @Test
  void publishesACandidateThatPassesTheGateAndMakesItTheParent() throws Exception {
    round(new Gate(1.0, -100.0));
    train();
    Decision d = round.evaluate(() -> false);
    assertEquals(Decision.Outcome.PUBLISH, d.outcome(), d.reason());
    assertTrue(d.version().matches("unit-[0-9a-z]+-0001"), d.version());
    assertEquals("fmnist-c2f1-v1", d.parentVersion());
    assertEquals(d.version(), round.parentVersion(), "the published candidate is the parent");
    assertEquals(0, round.stepsSinceParent());
    AssembledModel v = d.published();
    assertEquals("fmnist-c2f1-v1", v.parent());
    ModelManifest manifest = ModelManifest.fromJson(v.manifestJson(), v.version());
    assertEquals("2", manifest.training().get("steps_since_parent"));
    assertArrayEquals(candidateEmbeds(), embeds(v), 1e-2f, "the snapshot is the candidate");

    ModelDecision message = d.toMessage(1234);
    assertTrue(message.getPublished());
    assertEquals(d.version(), message.getCandidateVersion());
    assertEquals(2, message.getSteps());
    assertEquals(1234, message.getDecidedAtMs());
    assertEquals(d.candidateFigures().recallAt1(), message.getCandidateMetricsMap().get("r_at_1"));

    train();
    Decision next = round.evaluate(() -> false);
    assertTrue(next.version().endsWith("-0002"), next.version());
    assertEquals(d.version(), next.parentVersion());
    assertEquals(d.candidateFigures(), next.parentFigures(), "measured once, as the candidate");
  }

  @Test
  void resetsACandidateWhoseRecallFellTooFarToTheParentsWeights() throws Exception {
    round(new Gate(-1.0, -100.0)); // any R@1 is a fall too far
    train();
    assertFalse(Arrays.equals(embeds(start), candidateEmbeds()), "two steps moved the candidate");
    Decision d = round.evaluate(() -> false);
    assertEquals(Decision.Outcome.RESET, d.outcome(), d.reason());
    assertNull(d.published());
    assertFalse(d.toMessage(0).getPublished());
    assertEquals("fmnist-c2f1-v1", round.parentVersion());
    assertEquals(0, round.stepsSinceParent());
    assertArrayEquals(embeds(start), candidateEmbeds(), 1e-6f, "the parent's weights again");
  }

  @Test
  void keepsTrainingACandidateThatIsNotRobustEnoughAndDropsOneMeasuredDuringASwitch()
      throws Exception {
    round(new Gate(1.0, 100.0)); // +100 points: never robust enough
    train();
    float[] trained = candidateEmbeds();
    Decision dropped = round.evaluate(() -> true);
    assertEquals(Decision.Outcome.DROPPED, dropped.outcome());
    assertTrue(round.evaluationDue(), "no decision made: still due");

    Decision d = round.evaluate(() -> false);
    assertEquals(Decision.Outcome.KEEP_TRAINING, d.outcome(), d.reason());
    assertTrue(d.version().endsWith("-0001"), "a dropped candidate takes no number");
    assertTrue(d.reason().startsWith("rejected: not more robust"), d.reason());
    assertEquals(2, round.stepsSinceParent());
    assertArrayEquals(trained, candidateEmbeds(), 1e-6f, "the candidate is kept");
    assertFalse(round.evaluationDue(), "counts anew");
  }

  @Test
  void rebasingMakesTheServedVersionTheParentAndTheBaseOfTheFigures() throws Exception {
    round(new Gate(1.0, -100.0));
    train();
    Decision published = round.evaluate(() -> false);
    assertEquals(Decision.Outcome.PUBLISH, published.outcome());
    // A rollback to the version the trainer started from.
    round.rebase(Versions.open(start, Device.cpu()), start);
    assertEquals("fmnist-c2f1-v1", round.parentVersion());
    assertEquals(0, round.stepsSinceParent());
    assertFalse(round.evaluationDue(), "counts anew");
    assertArrayEquals(embeds(start), candidateEmbeds(), 1e-6f);
    train();
    Decision d = round.evaluate(() -> false);
    assertEquals("fmnist-c2f1-v1", d.parentVersion());
    assertEquals(published.parentFigures(), d.parentFigures(), "v1 measured anew, as at the start");
  }
}
