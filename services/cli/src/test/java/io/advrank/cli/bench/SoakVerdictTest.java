package io.advrank.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

class SoakVerdictTest {
  private static final long MIB = 1024 * 1024;
  private static final SoakVerdict.Bounds BOUNDS = new SoakVerdict.Bounds(4, 1, 10, 60, 600);

  /**
   * A 30-minute run sampled every 10 s, a full collection every third sample: off-heap RSS, live
   * heap, DJL arrays and lag as functions of the minute; the heap is committed at 1 GiB.
   */
  private static List<SoakSample> run(
      DoubleUnaryOperator offHeapMib,
      DoubleUnaryOperator liveHeapMib,
      DoubleUnaryOperator arrays,
      DoubleUnaryOperator lag) {
    List<SoakSample> samples = new ArrayList<>();
    for (int i = 1; i <= 180; i++) {
      double t = i * 10.0;
      double m = t / 60;
      long live = Math.round(liveHeapMib.applyAsDouble(m) * MIB);
      samples.add(
          new SoakSample(
              t,
              Math.round(offHeapMib.applyAsDouble(m) * MIB) + 1024 * MIB,
              1024 * MIB,
              1024 * MIB,
              live + 300 * MIB,
              live + 100 * MIB,
              i % 3 == 0 ? live : -1,
              Math.round(arrays.applyAsDouble(m)),
              Math.round(lag.applyAsDouble(m)),
              -1));
    }
    return samples;
  }

  @Test
  void fitsTheLeastSquaresSlopePerMinute() {
    List<SoakSample> line = run(m -> 900 + 2.5 * m, m -> 40, m -> 6, m -> 0);
    assertEquals(2.5, SoakVerdict.slopePerMinute(line, s -> s.offHeapBytes() / (double) MIB), 1e-3);
    assertEquals(0, SoakVerdict.slopePerMinute(line, s -> (double) s.nativeArrays()), 1e-9);
    assertTrue(Double.isNaN(SoakVerdict.slopePerMinute(line.subList(0, 2), s -> 1.0)));
  }

  @Test
  void passesAFlatNoisyRunWhoseStartUpGrewFast() {
    Random random = new Random(7);
    // Start-up: memory and the backlog climb in the first minutes, then stay flat with noise;
    // batches in flight put up to 350 arrays on top of the model's 6 at a sample.
    List<SoakSample> samples =
        run(
            m -> Math.min(m, 3) * 200 + 600 + random.nextGaussian() * 20,
            m -> 60 + random.nextGaussian() * 2,
            m -> 6 + (random.nextInt(3) == 0 ? 0 : random.nextInt(350)),
            m -> m < 2 ? 2000 : random.nextInt(80));
    SoakVerdict.Result r = SoakVerdict.judge(samples, 360, BOUNDS);
    assertTrue(r.passed(), () -> r.checks().toString());
  }

  @Test
  void failsASlowNativeLeakThatTheHeapDoesNotSee() {
    // 6 MiB/min off the heap and 50 arrays/min: tensors never closed, with batches in flight.
    Random random = new Random(3);
    List<SoakSample> samples =
        run(m -> 900 + 6 * m, m -> 60, m -> 6 + 50 * m + random.nextInt(300), m -> 10);
    SoakVerdict.Result r = SoakVerdict.judge(samples, 360, BOUNDS);
    assertFalse(r.passed());
    assertFalse(r.checks().get(0).passed(), "off-heap RSS");
    assertTrue(r.checks().get(1).passed(), "live heap");
    assertFalse(r.checks().get(2).passed(), "arrays floor: " + r.nativeArraysFloorPerMin());
  }

  @Test
  void failsAHeapLeakAndALagThatGrowsWithoutBound() {
    List<SoakSample> samples = run(m -> 900, m -> 60 + 2 * m, m -> 6, m -> 100 * m);
    SoakVerdict.Result r = SoakVerdict.judge(samples, 360, BOUNDS);
    assertTrue(r.checks().get(0).passed(), "off-heap RSS");
    assertEquals(2, r.liveHeapMibPerMin(), 1e-3);
    assertFalse(r.checks().get(1).passed(), "live heap");
    assertEquals(100, r.lagRecordsPerMin(), 0.01); // lag is sampled in whole records
    assertFalse(r.checks().get(3).passed(), "lag slope");
    assertFalse(r.checks().get(4).passed(), "lag at the end: " + r.endLagRecords());
  }

  @Test
  void failsTheEndLagWhenTheBrokerNeverAnswered() {
    List<SoakSample> samples = run(m -> 900, m -> 60, m -> 6, m -> -1);
    SoakVerdict.Result r = SoakVerdict.judge(samples, 360, BOUNDS);
    assertEquals(-1, r.endLagRecords());
    assertFalse(r.passed());
  }

  @Test
  void warmsUpForAFifthOfTheRunBetweenOneMinuteAndHalfOfIt() {
    assertEquals(Duration.ofMinutes(6), BenchSoakCommand.defaultWarmup(Duration.ofMinutes(30)));
    assertEquals(Duration.ofMinutes(1), BenchSoakCommand.defaultWarmup(Duration.ofMinutes(3)));
    assertEquals(Duration.ofSeconds(45), BenchSoakCommand.defaultWarmup(Duration.ofSeconds(90)));
  }
}
