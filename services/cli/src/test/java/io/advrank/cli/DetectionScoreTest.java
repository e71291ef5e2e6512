package io.advrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DetectionScoreTest {
  @Test
  void scoresAlertedSubjectsAgainstTheAttackedOnesLeavingOutTheNewestAttacks() {
    // Never started: the consumer is made but never connects.
    try (DetectionScore score = new DetectionScore("localhost:1", 0)) {
      score.attacked("item:a", 1_000, "CA+", "v1");
      score.attacked("query:q1", 2_000, "SP-QA+", "v1");
      score.attacked("query:q2", 3_000, "SP-QA+", "v2");
      score.attacked("query:late", 59_000, "SP-QA-"); // within the last 10 s: not judged yet
      score.alerted("item:a", 1_500); // photo alert on the attacked item
      score.alerted("item:a", 9_000); // a second signal on it: one subject
      score.alerted("query:q1", 2_100);
      score.alerted("query:benign", 500); // a false alert, first of all
      score.shifted("item:a", 3.0); // moved its rank 3 points: not effective
      score.shifted("item:a", 12.0); // a second attack on it moved 12: effective
      score.shifted("query:q1", -20.0); // moved the wrong way: not effective
      score.shifted("query:q2", 10.0); // effective, and missed
      score.shifted("query:late", 40.0); // effective but not judged yet

      DetectionScore.Result r = score.result(60_000, Duration.ofSeconds(10));

      assertEquals(2.0 / 3, r.precision(), 1e-9, "item:a and query:q1 of three alerted subjects");
      assertEquals(2.0 / 3, r.recall(), 1e-9, "q2 missed; the late attack is not counted");
      assertEquals(3, r.attackedSubjects());
      assertEquals(2, r.effectiveSubjects(), "item:a (12 points) and q2 (10 points, the bar)");
      assertEquals(1, r.effectiveFound());
      assertEquals(0.5, r.effectiveRecall(), 1e-9);
      assertEquals(0.5, r.firstAlertSeconds(), 1e-9);
      assertEquals(1.5, r.firstTrueAlertSeconds(), 1e-9);
      assertEquals(1.0, r.firstAttackSeconds(), 1e-9);
      assertEquals("1.000 (1 of 1)", r.recallByType().get("CA+"));
      assertEquals("0.500 (1 of 2)", r.recallByType().get("SP-QA+"));
      assertTrue(!r.recallByType().containsKey("SP-QA-"));
      assertEquals("1.000 (2 of 2)", r.recallByVersion().get("v1"));
      assertEquals("0.000 (0 of 1)", r.recallByVersion().get("v2"));
      assertTrue(!r.recallByVersion().containsKey("unknown"), "the late attack is not judged");
    }
  }
}
