package io.advrank.defensetrainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.proto.v1.ModelDecision;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DecisionTest {
  @Test
  void theGatesVerdictSaysWhatHappensToTheCandidate() {
    assertEquals(Decision.Outcome.PUBLISH, Decision.Outcome.of(new Gate.Verdict(true, false, "")));
    assertEquals(Decision.Outcome.RESET, Decision.Outcome.of(new Gate.Verdict(false, true, "")));
    assertEquals(
        Decision.Outcome.KEEP_TRAINING, Decision.Outcome.of(new Gate.Verdict(false, false, "")));
  }

  @Test
  void theMessageCarriesBothModelsFiguresAndIsPublishedOnlyForAPublication() {
    Figures parent = new Figures(Map.of(Figures.R_AT_1, 0.87, Figures.ROBUSTNESS, 3.0));
    Figures candidate = new Figures(Map.of(Figures.R_AT_1, 0.85, Figures.ROBUSTNESS, 8.0));
    Decision kept =
        new Decision(
            Decision.Outcome.KEEP_TRAINING,
            "v-0002",
            "v1",
            "rejected: …",
            parent,
            candidate,
            40,
            300,
            null);
    ModelDecision m = kept.toMessage(99);
    assertFalse(m.getPublished());
    assertEquals("v-0002", m.getCandidateVersion());
    assertEquals("v1", m.getParentVersion());
    assertEquals("rejected: …", m.getReason());
    assertEquals(0.87, m.getParentMetricsMap().get(Figures.R_AT_1));
    assertEquals(8.0, m.getCandidateMetricsMap().get(Figures.ROBUSTNESS));
    assertEquals(40, m.getSteps());
    assertEquals(300, m.getBufferImages());
    assertEquals(99, m.getDecidedAtMs());
    Decision reset =
        new Decision(Decision.Outcome.RESET, "v", "v1", "", parent, candidate, 0, 0, null);
    assertFalse(reset.toMessage(0).getPublished());
    Decision published =
        new Decision(Decision.Outcome.PUBLISH, "v", "v1", "", parent, candidate, 0, 0, null);
    assertTrue(published.toMessage(0).getPublished());
  }
}
