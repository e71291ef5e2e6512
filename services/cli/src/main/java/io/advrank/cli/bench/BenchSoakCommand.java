package io.advrank.cli.bench;

import io.advrank.cli.DataOptions;
import io.advrank.cli.DemoCommand;
import io.advrank.cli.DemoLog;
import io.advrank.cli.LagProbe;
import io.advrank.cli.ModelOptions;
import io.advrank.cli.OutputOptions;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.settings.KafkaSecurity;
import io.advrank.runtime.settings.SettingsSource;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code advrank bench soak}: the whole demo pipeline (producer, attack-worker, ranker, monitor,
 * defense-trainer, console) in this process, on a broker in a child process ({@link SoakBroker}),
 * at a steady query rate for {@code --duration}, sampling RSS, the heap, the live DJL arrays and
 * the consumer lag every {@code --sample-every} ({@link SoakSampler}); it fits the slope of each
 * and fails (exit 1) when memory grows faster than a stated bound or the lag keeps growing ({@link
 * SoakVerdict}). Samples go to a CSV; docs/soak.md.
 */
@Command(
    name = "soak",
    mixinStandardHelpOptions = true,
    description =
        "Run the demo pipeline on a broker in a child process at a steady --query-rate for"
            + " --duration, "
            + "sample RSS, heap, heap after GC, live DJL arrays and consumer lag every "
            + "--sample-every, and fail (exit 1) when a slope after the warm-up exceeds its "
            + "bound or the lag does not stay bounded (docs/soak.md).")
final class BenchSoakCommand implements Callable<Integer> {
  /** How long the child broker may take to start on a busy machine. */
  private static final Duration BROKER_START = Duration.ofMinutes(2);

  @Mixin DataOptions data;
  @Mixin ModelOptions model;
  @Mixin OutputOptions output;

  @Option(
      names = "--duration",
      defaultValue = "30m",
      description = "How long the pipeline runs, start-up included (default: ${DEFAULT-VALUE}).")
  String duration;

  @Option(
      names = "--sample-every",
      defaultValue = "10s",
      description = "Time between samples, 1s to 60s (default: ${DEFAULT-VALUE}).")
  String sampleEvery;

  @Option(
      names = "--warmup",
      description =
          "Samples before this are left out of the memory slopes (default: 20 %% of"
              + " --duration, at least 1m, at most half of it).")
  String warmup;

  @Option(
      names = "--query-rate",
      defaultValue = "20",
      description = "Shopper queries per second, steady (default: ${DEFAULT-VALUE}).")
  double queryRate;

  @Option(
      names = "--defense-trainer",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Run the defense-trainer as the demo does (default: on).")
  boolean defenseTrainer;

  @Option(
      names = "--console",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Run the web console as the demo does; its caches of recent traffic fill for about 4"
              + " minutes (default: on).")
  boolean console;

  @Option(
      names = "--max-off-heap-slope",
      defaultValue = "4",
      description =
          "Bound on the slope of RSS outside the Java heap after the warm-up, MiB/min"
              + " (default: ${DEFAULT-VALUE}).")
  double maxOffHeapSlope;

  @Option(
      names = "--max-live-heap-slope",
      defaultValue = "1",
      description =
          "Bound on the slope of the live heap (after the soak's full collections) after the"
              + " warm-up, MiB/min (default: ${DEFAULT-VALUE}).")
  double maxLiveHeapSlope;

  @Option(
      names = "--max-arrays-growth",
      defaultValue = "10",
      description =
          "Bound on the growth of the live DJL arrays' floor after the warm-up, arrays/min"
              + " (default: ${DEFAULT-VALUE}).")
  double maxArraysGrowth;

  @Option(
      names = "--full-gc-every",
      defaultValue = "30s",
      description =
          "A full collection before a sample this often, to measure the live heap"
              + " (default: ${DEFAULT-VALUE}).")
  String fullGcEvery;

  @Option(
      names = "--max-lag-slope",
      description =
          "Bound on the lag's slope over the second half, records/min (default: 5 %% of the"
              + " query rate, 60 at 20 queries/s).")
  Double maxLagSlope;

  @Option(
      names = "--max-end-lag",
      description =
          "Bound on the lowest lag of the last minute, records (default: 30 s of queries,"
              + " 600 at 20 queries/s).")
  Long maxEndLag;

  @Option(
      names = "--catalog-limit",
      defaultValue = "2000",
      description =
          "Catalog items uploaded at the start, as the demo's option; fewer make the start-up"
              + " burst and its attack backlog shorter (default: ${DEFAULT-VALUE}).")
  int catalogLimit;

  @Option(
      names = "--trim-native-heap",
      description =
          "Give the C heap's free memory back to the kernel before every sample"
              + " (System.trim_native_heap), so that off-heap RSS is native memory in use, not"
              + " memory glibc kept after it was freed; for short runs (default: off).")
  boolean trimNativeHeap;

  @Option(
      names = "--in-process-broker",
      description =
          "Run the Kafka broker in this process, measured with the services, as advrank demo"
              + " does (default: a child process, whose memory is reported but not judged).")
  boolean inProcessBroker;

  @Option(
      names = "--out",
      defaultValue = "target/soak-samples.csv",
      description = "CSV file of every sample (default: ${DEFAULT-VALUE}).")
  Path out;

  @Override
  public Integer call() throws Exception {
    Duration total = SettingsSource.parseDuration("--duration", duration);
    Duration every = SettingsSource.parseDuration("--sample-every", sampleEvery);
    check(!total.minusMinutes(1).isNegative(), "--duration must be at least 1m, got " + duration);
    check(
        every.toSeconds() >= 1 && every.toSeconds() <= 60,
        "--sample-every must be between 1s and 60s, got " + sampleEvery);
    Duration gcEvery = SettingsSource.parseDuration("--full-gc-every", fullGcEvery);
    check(
        !gcEvery.minus(every).isNegative(),
        "--full-gc-every must be at least --sample-every ("
            + sampleEvery
            + "), got "
            + fullGcEvery);
    long gcStride = Math.max(1, gcEvery.toNanos() / every.toNanos());
    check(queryRate > 0, "--query-rate must be > 0, got " + queryRate);
    Duration warm = warmup == null ? defaultWarmup(total) : parseWarmup(total);
    long collections = total.minus(warm).toNanos() / gcEvery.toNanos();
    check(
        collections >= MIN_FULL_COLLECTIONS,
        ("--full-gc-every %s leaves %d full collection(s) after the warm-up (--duration %s minus"
                + " the warm-up %ds), and the live-heap slope needs %d: give a shorter"
                + " --full-gc-every or a longer --duration")
            .formatted(fullGcEvery, collections, duration, warm.toSeconds(), MIN_FULL_COLLECTIONS));
    check(
        !trimNativeHeap || SoakSampler.trimNativeHeap(),
        "--trim-native-heap needs a JVM with the System.trim_native_heap diagnostic command"
            + " (JDK 17.0.9 or newer on glibc), this is "
            + Runtime.version());
    SoakVerdict.Bounds bounds = bounds();
    Path logFile = DemoLog.redirect();
    if (logFile != null) {
      System.err.println("soak: Kafka's and the services' logs go to " + logFile);
    }
    String loadBefore = SoakReport.loadAverage();
    PrintStream stdout = System.out;
    PrintStream table = output.json ? System.err : stdout;
    ClientProperties.useSecurity(KafkaSecurity.PLAINTEXT); // the soak's own broker is plain text
    List<SoakSample> samples = new ArrayList<>();
    String failure = null;
    if (out.getParent() != null) {
      Files.createDirectories(out.getParent());
    }
    try (SoakBroker kafka =
            inProcessBroker ? SoakBroker.inProcess() : SoakBroker.childProcess(BROKER_START);
        LagProbe lag =
            new LagProbe(
                Admin.create(
                    ClientProperties.admin(kafka.bootstrapServers(), "advrank-soak-admin")));
        Writer csv = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      if (kafka.log() != null) {
        System.err.println(
            "soak: the broker runs in a child process, its output in " + kafka.log());
      }
      DemoCommand demo = demo(kafka, total);
      SoakSampler sampler = new SoakSampler(lag, kafka::rssBytes, trimNativeHeap);
      csv.write(SoakSample.CSV_HEADER + "\n");
      table.printf(
          "soak: %s at %.1f queries/s, a sample every %ds%s, warm-up %ds; load average %s%n",
          duration,
          queryRate,
          every.toSeconds(),
          trimNativeHeap ? " after trimming the C heap" : "",
          warm.toSeconds(),
          loadBefore);
      table.println(SoakReport.ROW_HEADER);
      // The demo's own summary and report go to stderr: stdout carries the soak's table or JSON.
      System.setOut(System.err);
      FutureTask<Integer> run = new FutureTask<>(demo);
      Thread thread = new Thread(run, "soak-demo");
      long t0 = System.nanoTime();
      thread.start();
      double nextRow = 0;
      while (true) {
        long n = samples.size() + 1L;
        // Samples stop at --duration: the demo's shutdown (its report, closing) is not steady.
        if (waitFor(run, t0 + n * every.toNanos()) || n * every.toNanos() > total.toNanos()) {
          break;
        }
        SoakSample s = sampler.sample((System.nanoTime() - t0) / 1e9, n % gcStride == 0);
        samples.add(s);
        csv.write(s.csv() + "\n");
        csv.flush();
        if (s.seconds() >= nextRow) {
          table.println(SoakReport.row(s));
          nextRow += 60;
        }
      }
      try {
        run.get();
      } catch (ExecutionException e) {
        failure = "the pipeline stopped: " + e.getCause();
      }
    } finally {
      System.setOut(stdout);
    }
    SoakVerdict.Result result = SoakVerdict.judge(samples, warm.toSeconds(), bounds);
    String stopped = failure;
    boolean passed = stopped == null && result.passed();
    output.print(
        new SoakReport.Json(
            duration,
            queryRate,
            bounds,
            result,
            stopped,
            passed,
            out.toString(),
            loadBefore,
            SoakReport.loadAverage(),
            samples),
        () -> SoakReport.text(result, stopped, passed, out, loadBefore, samples));
    return passed ? 0 : 1;
  }

  /** Waits until {@code deadlineNanos} or until the demo ends; true when it ended. */
  private static boolean waitFor(FutureTask<Integer> run, long deadlineNanos)
      throws InterruptedException {
    try {
      run.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
      return true;
    } catch (ExecutionException e) {
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    }
  }

  /** The demo as {@code advrank demo} runs it, on this broker, on free ports, quiet. */
  private DemoCommand demo(SoakBroker kafka, Duration total) {
    DemoCommand demo = new DemoCommand();
    new CommandLine(demo)
        .parseArgs(
            "--duration",
            total.toSeconds() + "s",
            "--query-rate",
            Double.toString(queryRate),
            "--catalog-limit",
            Integer.toString(catalogLimit),
            "--interval",
            "60",
            "--metrics-port",
            "0",
            "--monitor-port",
            "0",
            "--console-port",
            console ? "0" : "-1",
            defenseTrainer ? "--defense-trainer" : "--no-defense-trainer");
    // The soak's own broker is a staging cluster.
    return demo.onBroker(data, model, kafka.bootstrapServers(), kafka.clusterId());
  }

  private SoakVerdict.Bounds bounds() {
    double lagSlope = maxLagSlope != null ? maxLagSlope : 0.05 * queryRate * 60;
    long endLag = maxEndLag != null ? maxEndLag : Math.round(30 * queryRate);
    return new SoakVerdict.Bounds(
        maxOffHeapSlope, maxLiveHeapSlope, maxArraysGrowth, lagSlope, endLag);
  }

  /** Full-collection samples after the warm-up that a live-heap slope needs (a line of 3). */
  static final int MIN_FULL_COLLECTIONS = 3;

  static Duration defaultWarmup(Duration total) {
    long seconds = Math.max(total.toSeconds() / 5, 60);
    return Duration.ofSeconds(Math.min(seconds, total.toSeconds() / 2));
  }

  private Duration parseWarmup(Duration total) {
    Duration w = SettingsSource.parseDuration("--warmup", warmup);
    check(
        w.compareTo(total.dividedBy(2)) <= 0,
        "--warmup must be at most half of --duration (" + duration + "), got " + warmup);
    return w;
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
