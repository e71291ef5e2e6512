package io.advrank.cli.bench;

import io.advrank.attackworker.AttackWorkerService;
import io.advrank.attackworker.AttackWorkerSettings;
import io.advrank.attackworker.StagingFence;
import io.advrank.cli.DataOptions;
import io.advrank.cli.ModelOptions;
import io.advrank.cli.ModelsCommand;
import io.advrank.cli.OutputOptions;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.ModelSpec;
import io.advrank.core.model.NativeHeap;
import io.advrank.embedded.EmbeddedKafka;
import io.advrank.ranker.RankerService;
import io.advrank.ranker.RankerSettings;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.model.AssembledModel;
import io.advrank.runtime.model.ModelTopic;
import io.advrank.runtime.settings.KafkaSecurity;
import io.advrank.runtime.settings.SettingsSource;
import io.advrank.runtime.topic.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code advrank bench swap}: hot-swap latency, from the moment a version is published on {@code
 * advrank.models} until the ranker and the attack-worker both serve it (each loads it and re-embeds
 * its whole catalog), on an embedded broker with a catalog of {@code --catalog} images.
 */
@Command(
    name = "swap",
    mixinStandardHelpOptions = true,
    description =
        "Hot-swap latency: publish --swaps versions of --model on advrank.models and time "
            + "each until a ranker and an attack-worker (in this process, embedded broker) both "
            + "serve it, each having re-embedded a catalog of --catalog test images. Prints "
            + "p50/p99/max and where the time goes: publish, then per service transfer (chunks, "
            + "reassembly, sha256), load, wait (until the service's loop takes it up), reembed and "
            + "index.")
final class BenchSwapCommand implements Callable<Integer> {
  @Mixin DataOptions data;
  @Mixin ModelOptions model;
  @Mixin OutputOptions output;

  @Option(
      names = "--catalog",
      defaultValue = "10000",
      description = "Catalog images (default: ${DEFAULT-VALUE}).")
  int catalog;

  @Option(
      names = "--swaps",
      defaultValue = "10",
      description = "Versions to publish one after another (default: ${DEFAULT-VALUE}).")
  int swaps;

  private final String run = Long.toString(System.currentTimeMillis(), 36);

  @Override
  public Integer call() throws Exception {
    if (swaps < 1 || swaps > 1000) {
      throw new IllegalArgumentException("--swaps: must be in 1..1000, was " + swaps);
    }
    ImageDataset test = data.load(DatasetDirectory.Split.TEST, null);
    if (catalog < 2 || catalog > test.size()) {
      throw new IllegalArgumentException(
          "--catalog: must be in 2.." + test.size() + ", was " + catalog);
    }
    ModelSpec spec = model.spec();
    test = data.atInputOf(spec, test);
    ClientProperties.useSecurity(KafkaSecurity.PLAINTEXT); // our own broker listens in plain text
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        BenchPipelineKafka io = new BenchPipelineKafka(kafka.bootstrapServers())) {
      Topics.createAll(io.admin(), (short) 1, Duration.ofSeconds(30));
      BenchPipelineEvents events = new BenchPipelineEvents(test, run);
      for (int i = 0; i < catalog; i++) {
        io.send(Topics.CATALOG, events.catalogItem(i));
        io.send(Topics.CATALOG_DELIVERED, events.catalogItem(i));
      }
      io.flush();
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      String bootstrap = kafka.bootstrapServers();
      long[] before = memory();
      try (RankerService ranker =
              RankerService.create(ranker(bootstrap), Clock.systemUTC(), registry);
          AttackWorkerService worker =
              AttackWorkerService.create(
                  worker(bootstrap, kafka.clusterId()), Clock.systemUTC(), registry)) {
        ranker.start();
        worker.start();
        if (!ranker.awaitReady(Duration.ofMinutes(5))
            || !worker.awaitReady(Duration.ofMinutes(5))) {
          throw new IllegalStateException("services did not load the catalog in 5 minutes");
        }
        awaitCatalog(ranker);
        long[] loaded = memory();
        double heapMb = (loaded[0] - before[0]) / 1e6;
        double rssMb = (loaded[1] - before[1]) / 1e6;
        System.err.printf(
            Locale.ROOT,
            "bench swap: ranker and attack-worker ready with %d catalog items; they hold %.0f MB"
                + " of heap and %.0f MB of resident memory more than before they started%n",
            ranker.catalogSize(),
            heapMb,
            rssMb);
        BenchSwapBreakdown breakdown = new BenchSwapBreakdown(registry);
        double[] seconds = new double[swaps];
        for (int s = 0; s < swaps; s++) {
          String version = "bench-" + run + "-" + (s + 1);
          AssembledModel read = ModelsCommand.fromDirectory(model.dir, version, 0);
          breakdown.mark();
          long t0 = System.nanoTime();
          // Created now, so the services' transfer stage starts when publishing does.
          AssembledModel m =
              new AssembledModel(
                  version,
                  read.parent(),
                  read.manifestJson(),
                  Clock.systemUTC().millis(),
                  read.sha256(),
                  read.weights());
          ModelTopic.publish(bootstrap, m, Duration.ofSeconds(30));
          double published = (System.nanoTime() - t0) / 1e9;
          double[] served = awaitServed(version, t0, ranker::modelVersion, worker::modelVersion);
          seconds[s] = Math.max(served[0], served[1]);
          BenchSwapBreakdown.Swap swap = breakdown.add(published, served);
          System.err.printf(
              Locale.ROOT,
              "bench swap: %s served by both after %.2f s (%s)%n",
              version,
              seconds[s],
              BenchSwapBreakdown.line(swap));
        }
        Arrays.sort(seconds);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("swaps", swaps);
        json.put("catalog", catalog);
        json.put("services_heap_mb", heapMb);
        json.put("services_rss_mb", rssMb);
        json.put("model", model.dir.toString());
        json.put("p50_seconds", percentile(seconds, 0.50));
        json.put("p99_seconds", percentile(seconds, 0.99));
        json.put("max_seconds", seconds[seconds.length - 1]);
        json.put("median_stage_seconds", breakdown.medians());
        output.print(
            json,
            () ->
                String.format(
                        Locale.ROOT,
                        "hot swap, %d versions, catalog %d, %s (%s): p50 %.2f s, p99 %.2f s,"
                            + " max %.2f s%n",
                        swaps,
                        catalog,
                        spec.describe(),
                        model.dir,
                        percentile(seconds, 0.50),
                        percentile(seconds, 0.99),
                        seconds[seconds.length - 1])
                    + breakdown.table());
      }
    }
    return 0;
  }

  /**
   * Seconds from {@code t0} until each service (in {@link BenchSwapBreakdown#SERVICES} order)
   * served {@code version}, checked every 5 ms.
   */
  private static double[] awaitServed(
      String version, long t0, Supplier<String> ranker, Supplier<String> worker)
      throws InterruptedException {
    List<Supplier<String>> services = List.of(ranker, worker);
    double[] served = {Double.NaN, Double.NaN};
    while (Double.isNaN(served[0]) || Double.isNaN(served[1])) {
      long now = System.nanoTime();
      if (now - t0 > Duration.ofMinutes(2).toNanos()) {
        throw new IllegalStateException(version + " not served after 2 minutes");
      }
      for (int i = 0; i < served.length; i++) {
        if (Double.isNaN(served[i]) && services.get(i).get().equals(version)) {
          served[i] = (now - t0) / 1e9;
        }
      }
      Thread.sleep(5);
    }
    return served;
  }

  /** Nearest-rank percentile of sorted values. */
  static double percentile(double[] sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private AttackWorkerSettings worker(String bootstrap, String clusterId) {
    Map<String, String> flags = BenchSettings.common(bootstrap);
    flags.putAll(StagingFence.settingsFor(clusterId)); // the bench's own broker
    flags.put(AttackWorkerSettings.MODEL_DIR.key(), model.dir.toString());
    flags.put(AttackWorkerSettings.CAMPAIGN.key(), "");
    flags.put(AttackWorkerSettings.GROUP_ID.key(), "bench-swap-" + run);
    flags.put(AttackWorkerSettings.WORKER_ID.key(), "bench-swap-" + run);
    return AttackWorkerSettings.from(
        SettingsSource.load(AttackWorkerSettings.KEYS, flags, System.getenv(), null));
  }

  private RankerSettings ranker(String bootstrap) {
    return BenchSettings.ranker(bootstrap, model.dir, "bench-swap-" + run);
  }

  /** Waits until the ranker holds the whole catalog: a swap then re-embeds all of it. */
  private void awaitCatalog(RankerService ranker) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (ranker.catalogSize() < catalog) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the ranker holds "
                + ranker.catalogSize()
                + " of "
                + catalog
                + " catalog items"
                + " after 5 minutes (see the dead-letter topic)");
      }
      Thread.sleep(50);
    }
  }

  /**
   * {heap used after a full collection, resident set size} in bytes: what the services' catalog
   * mirrors cost, Java arrays and libtorch's native embeddings alike (RSS from /proc, 0 elsewhere).
   */
  private static long[] memory() throws InterruptedException {
    System.gc();
    Thread.sleep(200);
    Runtime rt = Runtime.getRuntime();
    long heap = rt.totalMemory() - rt.freeMemory();
    return new long[] {heap, Math.max(0, NativeHeap.rssBytes())};
  }
}
