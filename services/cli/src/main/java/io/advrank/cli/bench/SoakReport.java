package io.advrank.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The soak's table rows, its verdict as text, and its JSON ({@link BenchSoakCommand}). */
final class SoakReport {
  private static final double MIB = 1024.0 * 1024.0;

  static final String ROW_HEADER =
      String.format(
          Locale.ROOT,
          "%8s %9s %12s %9s %13s %9s %11s %7s",
          "time",
          "RSS MiB",
          "off-heap MiB",
          "heap MiB",
          "after-GC MiB",
          "live MiB",
          "DJL arrays",
          "lag");

  /** What {@code --json} prints: the settings, the bounds, the verdict and every sample. */
  record Json(
      String duration,
      double queryRate,
      SoakVerdict.Bounds bounds,
      SoakVerdict.Result result,
      String failure,
      boolean passed,
      String csv,
      String loadAverageBefore,
      String loadAverageAfter,
      List<SoakSample> samples) {}

  private SoakReport() {}

  static String row(SoakSample s) {
    return String.format(
        Locale.ROOT,
        "%7.0fs %9.1f %12.1f %9.1f %13.1f %9s %11d %7s",
        s.seconds(),
        s.rssBytes() / MIB,
        s.offHeapBytes() / MIB,
        s.heapUsedBytes() / MIB,
        s.heapAfterGcBytes() / MIB,
        s.heapLiveBytes() < 0 ? "-" : String.format(Locale.ROOT, "%.1f", s.heapLiveBytes() / MIB),
        s.nativeArrays(),
        s.lag() < 0 ? "-" : Long.toString(s.lag()));
  }

  static String text(
      SoakVerdict.Result r,
      String failure,
      boolean passed,
      Path csv,
      String loadBefore,
      List<SoakSample> samples) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%nslopes per minute after the %.0f s warm-up (%d samples in all): RSS %+.2f MiB,"
                + " off-heap %+.2f MiB, heap %+.2f MiB, heap after GC %+.2f MiB, live heap"
                + " %+.2f MiB, DJL arrays %+.1f (floor %+.1f); lag %+.1f records over the second"
                + " half%n",
            r.warmupSeconds(),
            r.samples(),
            r.rssMibPerMin(),
            r.offHeapMibPerMin(),
            r.heapUsedMibPerMin(),
            r.heapAfterGcMibPerMin(),
            r.liveHeapMibPerMin(),
            r.nativeArraysPerMin(),
            r.nativeArraysFloorPerMin(),
            r.lagRecordsPerMin()));
    for (SoakVerdict.Check c : r.checks()) {
      b.append(
          String.format(
              Locale.ROOT,
              "  %-26s %10.2f %-12s bound <= %-10.2f %s%n",
              c.name(),
              c.value(),
              c.unit(),
              c.bound(),
              c.passed() ? "ok" : "FAILED"));
    }
    if (failure != null) {
      b.append("  ").append(failure).append('\n');
    }
    if (!samples.isEmpty() && samples.get(0).brokerRssBytes() >= 0) {
      b.append(
          String.format(
              Locale.ROOT,
              "broker (child process, not judged): RSS %.0f MiB at %.0f s, %.0f MiB at %.0f s%n",
              samples.get(0).brokerRssBytes() / MIB,
              samples.get(0).seconds(),
              samples.get(samples.size() - 1).brokerRssBytes() / MIB,
              samples.get(samples.size() - 1).seconds()));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "soak %s; samples in %s; load average before %s, after %s%n",
            passed ? "PASSED" : "FAILED",
            csv,
            loadBefore,
            loadAverage()));
    return b.toString();
  }

  /** The 1-, 5- and 15-minute load averages, to judge a run on a shared machine. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
