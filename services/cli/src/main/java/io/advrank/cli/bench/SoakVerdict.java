package io.advrank.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The judgement of a soak run: least-squares slopes per minute of each sampled quantity, and the
 * checks against stated bounds.
 *
 * <ul>
 *   <li>Memory is judged after the warm-up (JIT, the heap's first growth, the catalog burst): the
 *       RSS outside the Java heap (RSS − the heap's resident pages: native leaks; the heap is
 *       bounded by -Xmx and grows toward it with no leak) and the live heap after the soak's full
 *       collections (Java leaks).
 *   <li>The DJL arrays by the growth of their floor, the lowest count of each half of the samples
 *       after the warm-up: the arrays of batches in flight at a sample come and go (6 to 350 in a
 *       3-minute run), arrays that leak raise the floor.
 *   <li>The lag by its slope over the second half of the run, and at the end by the lowest lag of
 *       the last minute (the pipeline caught up at least once then).
 * </ul>
 */
final class SoakVerdict {
  private static final double MIB = 1024.0 * 1024.0;

  /** The bounds a run must meet; slopes are per minute. */
  record Bounds(
      double offHeapMibPerMin,
      double liveHeapMibPerMin,
      double nativeArraysPerMin,
      double lagRecordsPerMin,
      long endLagRecords) {}

  /** One check: the measured figure, its bound, and whether it held. */
  record Check(String name, double value, double bound, String unit, boolean passed) {}

  /** Slopes per minute of everything sampled, and the checks. */
  record Result(
      int samples,
      double warmupSeconds,
      double rssMibPerMin,
      double offHeapMibPerMin,
      double heapUsedMibPerMin,
      double heapAfterGcMibPerMin,
      double liveHeapMibPerMin,
      double nativeArraysPerMin,
      double nativeArraysFloorPerMin,
      double lagRecordsPerMin,
      long endLagRecords,
      List<Check> checks,
      boolean passed) {}

  private SoakVerdict() {}

  static Result judge(List<SoakSample> samples, double warmupSeconds, Bounds bounds) {
    List<SoakSample> steady = samples.stream().filter(s -> s.seconds() >= warmupSeconds).toList();
    double end = samples.isEmpty() ? 0 : samples.get(samples.size() - 1).seconds();
    double start = samples.isEmpty() ? 0 : samples.get(0).seconds();
    double half = start + (end - start) / 2;
    List<SoakSample> answered = samples.stream().filter(s -> s.lag() >= 0).toList();
    List<SoakSample> secondHalf = answered.stream().filter(s -> s.seconds() >= half).toList();
    List<SoakSample> live = steady.stream().filter(s -> s.heapLiveBytes() >= 0).toList();
    double offHeap = slopePerMinute(steady, s -> s.offHeapBytes() / MIB);
    double liveHeap = slopePerMinute(live, s -> s.heapLiveBytes() / MIB);
    double floor = floorGrowthPerMinute(steady, s -> (double) s.nativeArrays());
    double lag = slopePerMinute(secondHalf, s -> (double) s.lag());
    long endLag =
        answered.stream()
            .filter(s -> s.seconds() >= end - 60)
            .mapToLong(SoakSample::lag)
            .min()
            .orElse(-1);
    List<Check> checks = new ArrayList<>();
    checks.add(atMost("off-heap RSS slope", offHeap, bounds.offHeapMibPerMin(), "MiB/min"));
    checks.add(atMost("live heap slope", liveHeap, bounds.liveHeapMibPerMin(), "MiB/min"));
    checks.add(atMost("DJL arrays floor", floor, bounds.nativeArraysPerMin(), "arrays/min"));
    checks.add(atMost("lag slope, 2nd half", lag, bounds.lagRecordsPerMin(), "records/min"));
    // −1: the broker answered no lag query in the last minute, which fails the check.
    checks.add(
        new Check(
            "lag at the end",
            endLag,
            bounds.endLagRecords(),
            "records",
            endLag >= 0 && endLag <= bounds.endLagRecords()));
    return new Result(
        samples.size(),
        warmupSeconds,
        slopePerMinute(steady, s -> s.rssBytes() / MIB),
        offHeap,
        slopePerMinute(steady, s -> s.heapUsedBytes() / MIB),
        slopePerMinute(steady, s -> s.heapAfterGcBytes() / MIB),
        liveHeap,
        slopePerMinute(steady, s -> (double) s.nativeArrays()),
        floor,
        lag,
        endLag,
        List.copyOf(checks),
        checks.stream().allMatch(Check::passed));
  }

  /** A figure that could not be measured (NaN: too few samples) fails its check. */
  private static Check atMost(String name, double value, double bound, String unit) {
    return new Check(name, value, bound, unit, value <= bound);
  }

  /**
   * The least-squares slope of {@code y} against time in minutes; NaN with fewer than 3 samples
   * (two points make a line whatever the noise).
   */
  static double slopePerMinute(List<SoakSample> samples, ToDoubleFunction<SoakSample> y) {
    int n = samples.size();
    if (n < 3) {
      return Double.NaN;
    }
    double meanX = 0;
    double meanY = 0;
    for (SoakSample s : samples) {
      meanX += s.seconds() / 60;
      meanY += y.applyAsDouble(s);
    }
    meanX /= n;
    meanY /= n;
    double sxy = 0;
    double sxx = 0;
    for (SoakSample s : samples) {
      double dx = s.seconds() / 60 - meanX;
      sxy += dx * (y.applyAsDouble(s) - meanY);
      sxx += dx * dx;
    }
    return sxx == 0 ? Double.NaN : sxy / sxx;
  }

  /**
   * How fast the floor rises: the lowest {@code y} of the second half of the samples minus that of
   * the first half, over the minutes between the halves' mean times; NaN with fewer than 2 samples
   * in a half.
   */
  static double floorGrowthPerMinute(List<SoakSample> samples, ToDoubleFunction<SoakSample> y) {
    int n = samples.size();
    if (n < 4) {
      return Double.NaN;
    }
    List<SoakSample> first = samples.subList(0, n / 2);
    List<SoakSample> second = samples.subList(n / 2, n);
    double minutes =
        (second.stream().mapToDouble(SoakSample::seconds).average().orElseThrow()
                - first.stream().mapToDouble(SoakSample::seconds).average().orElseThrow())
            / 60;
    double rise =
        second.stream().mapToDouble(y).min().orElseThrow()
            - first.stream().mapToDouble(y).min().orElseThrow();
    return rise / minutes;
  }
}
