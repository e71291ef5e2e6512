package io.advrank.cli;

import io.advrank.attackworker.AttackWorkerService;
import io.advrank.attackworker.AttackWorkerSettings;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.ImageDataset;
import io.advrank.ranker.RankerService;
import io.advrank.ranker.RankerSettings;
import io.advrank.runtime.kafka.EmbeddedKafka;
import io.advrank.runtime.model.AssembledModel;
import io.advrank.runtime.model.ModelTopic;
import io.advrank.runtime.settings.SettingsSource;
import io.advrank.runtime.topic.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
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
    description = {
      "Hot-swap latency: publish --swaps versions of --model on advrank.models and time each",
      "until a ranker and an attack-worker (in this process, embedded broker) both serve it,",
      "each having re-embedded a catalog of --catalog test images. Prints p50/p99/max."
    })
final class BenchSwapCommand implements Callable<Integer> {
  @Mixin DataOptions data;
  @Mixin ModelOptions model;

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
      try (RankerService ranker =
              RankerService.create(ranker(bootstrap), Clock.systemUTC(), registry);
          AttackWorkerService worker =
              AttackWorkerService.create(worker(bootstrap), Clock.systemUTC(), registry)) {
        ranker.start();
        worker.start();
        if (!ranker.awaitReady(Duration.ofMinutes(5))
            || !worker.awaitReady(Duration.ofMinutes(5))) {
          throw new IllegalStateException("services did not load the catalog in 5 minutes");
        }
        System.err.printf(
            "bench swap: ranker and attack-worker ready with %d catalog items%n", catalog);
        double[] seconds = new double[swaps];
        for (int s = 0; s < swaps; s++) {
          String version = "bench-" + run + "-" + (s + 1);
          AssembledModel m =
              ModelsCommand.fromDirectory(model.dir, version, Clock.systemUTC().millis());
          long t0 = System.nanoTime();
          ModelTopic.publish(bootstrap, m, Duration.ofSeconds(30));
          while (!ranker.modelVersion().equals(version) || !worker.modelVersion().equals(version)) {
            if (System.nanoTime() - t0 > Duration.ofMinutes(2).toNanos()) {
              throw new IllegalStateException(version + " not served after 2 minutes");
            }
            Thread.sleep(5);
          }
          seconds[s] = (System.nanoTime() - t0) / 1e9;
          System.err.printf("bench swap: %s served by both after %.2f s%n", version, seconds[s]);
        }
        Arrays.sort(seconds);
        System.out.printf(
            Locale.ROOT,
            "hot swap, %d versions, catalog %d, C2F1 (%s): p50 %.2f s, p99 %.2f s, max %.2f s%n",
            swaps,
            catalog,
            model.dir,
            percentile(seconds, 0.50),
            percentile(seconds, 0.99),
            seconds[seconds.length - 1]);
      }
    }
    return 0;
  }

  /** Nearest-rank percentile of sorted values. */
  static double percentile(double[] sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private AttackWorkerSettings worker(String bootstrap) {
    Map<String, String> flags = common(bootstrap);
    flags.put(AttackWorkerSettings.MODEL_DIR, model.dir.toString());
    flags.put(AttackWorkerSettings.CAMPAIGN, "");
    flags.put(AttackWorkerSettings.GROUP_ID, "bench-swap-" + run);
    flags.put(AttackWorkerSettings.WORKER_ID, "bench-swap-" + run);
    return AttackWorkerSettings.from(
        SettingsSource.load(AttackWorkerSettings.KEYS, flags, System.getenv(), null));
  }

  private RankerSettings ranker(String bootstrap) {
    Map<String, String> flags = common(bootstrap);
    flags.put(RankerSettings.MODEL_DIR, model.dir.toString());
    flags.put(RankerSettings.GROUP_ID, "bench-swap-" + run);
    flags.put(RankerSettings.RANKER_ID, "bench-swap-" + run);
    return RankerSettings.from(
        SettingsSource.load(RankerSettings.KEYS, flags, System.getenv(), null));
  }

  private static Map<String, String> common(String bootstrap) {
    Map<String, String> flags = new HashMap<>();
    flags.put("kafka.bootstrap.servers", bootstrap);
    flags.put("metrics.port", "0");
    return flags;
  }
}
