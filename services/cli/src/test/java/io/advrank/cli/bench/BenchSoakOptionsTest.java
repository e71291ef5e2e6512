package io.advrank.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.cli.CliRun;
import org.junit.jupiter.api.Test;

/** {@code bench soak} refuses, before starting anything, a run it could not judge. */
class BenchSoakOptionsTest {
  @Test
  void tooFewFullCollectionsAfterTheWarmupIsOneLineNamingTheOptions() {
    // 1m with the default warm-up (30 s here) and a full collection every 30 s: one sample of the
    // live heap after the warm-up, where a slope needs three; the run would end FAILED on a NaN.
    CliRun r = CliRun.of("bench", "soak", "--duration", "1m");
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(
        r.err()
            .contains(
                "--full-gc-every 30s leaves 1 full collection(s) after the warm-up (--duration 1m"
                    + " minus the warm-up 30s), and the live-heap slope needs 3"),
        r.err());
  }

  @Test
  void aBadDurationIsNamed() {
    CliRun r = CliRun.of("bench", "soak", "--duration", "30s");
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(r.err().contains("--duration must be at least 1m, got 30s"), r.err());
  }
}
