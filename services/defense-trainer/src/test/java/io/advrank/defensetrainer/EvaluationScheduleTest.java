package io.advrank.defensetrainer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class EvaluationScheduleTest {
  /** A clock that moves only when the test says. */
  private static final class TestClock extends Clock {
    private Instant now = Instant.parse("2026-12-05T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  private final TestClock clock = new TestClock();
  private final EvaluationSchedule schedule =
      new EvaluationSchedule(3, Duration.ofMinutes(5), clock);

  private void steps(int n) {
    for (int i = 0; i < n; i++) {
      schedule.stepped();
    }
  }

  @Test
  void evaluatesEveryNSteps() {
    steps(2);
    assertFalse(schedule.due(100));
    steps(1);
    assertTrue(schedule.due(100));
    schedule.restart();
    assertFalse(schedule.due(100), "counts anew after an evaluation");
  }

  @Test
  void orOnceTheIntervalHasPassedButOnlyAfterAStep() {
    clock.advance(Duration.ofMinutes(6));
    assertFalse(schedule.due(100), "nothing trained since: nothing to measure");
    steps(1);
    assertTrue(schedule.due(100));
    schedule.restart();
    steps(1);
    clock.advance(Duration.ofMinutes(4));
    assertFalse(schedule.due(100), "the interval counts from the last evaluation");
    clock.advance(Duration.ofMinutes(1));
    assertTrue(schedule.due(100));
  }

  @Test
  void neverBeforeTheHeldOutSetCanRank() {
    steps(10);
    assertFalse(schedule.due(EvaluationSchedule.MIN_HELD_OUT - 1));
    assertTrue(schedule.due(EvaluationSchedule.MIN_HELD_OUT));
  }
}
