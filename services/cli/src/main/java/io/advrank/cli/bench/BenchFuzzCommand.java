package io.advrank.cli.bench;

import io.advrank.attackworker.AttackWorkerService;
import io.advrank.attackworker.AttackWorkerSettings;
import io.advrank.attackworker.StagingFence;
import io.advrank.cli.DataOptions;
import io.advrank.cli.ModelOptions;
import io.advrank.cli.OutputOptions;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.ImageDataset;
import io.advrank.embedded.EmbeddedKafka;
import io.advrank.monitor.MonitorService;
import io.advrank.monitor.MonitorSettings;
import io.advrank.proto.v1.CatalogObservation;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.RankingResult;
import io.advrank.ranker.RankerService;
import io.advrank.ranker.RankerSettings;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.metrics.Health;
import io.advrank.runtime.metrics.ProcessRegistry;
import io.advrank.runtime.settings.KafkaSecurity;
import io.advrank.runtime.settings.SettingsSource;
import io.advrank.runtime.topic.Topic;
import io.advrank.runtime.topic.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code advrank bench fuzz}: writes malformed records of every kind in {@link BenchFuzzRecords} to
 * the input topics of the attack-worker ({@code advrank.catalog}, {@code advrank.queries}), the
 * ranker ({@code advrank.catalog.delivered}, {@code advrank.queries.delivered}) and the monitor
 * ({@code advrank.rankings}, {@code advrank.catalog.observations}), mixed with valid traffic, on an
 * embedded broker with the three services running in this process; then counts ({@link
 * BenchFuzzTraffic}, {@link BenchFuzzReport}) that each malformed record got exactly one dead
 * letter with the right reason, that each valid record came out once (a ranking, a catalog
 * observation) and that the services are still up. Exit 1 if any of that fails. See docs/fuzz.md.
 */
@Command(
    name = "fuzz",
    mixinStandardHelpOptions = true,
    description =
        "Writes --records malformed records (random bytes, truncated protobuf, wrong message"
            + " type, wrong kind, missing ids, wrong pixel counts and shapes, NaN/Inf and"
            + " out-of-range pixels, oversized values, null keys, tombstones) to every input"
            + " topic of the attack-worker, the ranker and the monitor, mixed with valid"
            + " traffic, on an embedded broker; exit 1 unless every malformed record is"
            + " dead-lettered once with the right reason, no valid record is lost and no service"
            + " fails.")
final class BenchFuzzCommand implements Callable<Integer> {
  /** The attack-worker's event.max.bytes here: oversized records are a little larger. */
  static final int MAX_EVENT_BYTES = 64 * 1024;

  /** Catalog items uploaded before the fuzz: the ranker needs a gallery to answer queries. */
  static final int SEED_ITEMS = 16;

  @Mixin DataOptions data;
  @Mixin ModelOptions model;
  @Mixin OutputOptions output;

  @Option(
      names = "--records",
      defaultValue = "10000",
      description = "Malformed records per input topic (default: ${DEFAULT-VALUE}).")
  int records;

  @Option(
      names = "--valid-every",
      defaultValue = "10",
      description = "One valid record after every N malformed ones (default: ${DEFAULT-VALUE}).")
  int validEvery;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Seed of the malformed records' randomness (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--timeout",
      defaultValue = "600",
      description =
          "Seconds to wait for the last dead letter and output after sending (default:"
              + " ${DEFAULT-VALUE}).")
  int timeout;

  private final String run = Long.toString(System.currentTimeMillis(), 36);

  @Override
  public Integer call() throws Exception {
    require(records >= 1 && records <= 1_000_000, "--records", records, "in 1..1000000");
    require(validEvery >= 1, "--valid-every", validEvery, ">= 1");
    require(timeout >= 1, "--timeout", timeout, ">= 1");
    ImageDataset test = data.atInputOf(model.spec(), data.load(DatasetDirectory.Split.TEST, null));
    MeterRegistry registry = ProcessRegistry.create();
    ClientProperties.useSecurity(KafkaSecurity.PLAINTEXT); // our own broker listens in plain text
    long start = System.nanoTime();
    try (EmbeddedKafka broker = EmbeddedKafka.start();
        BenchPipelineKafka kafka = new BenchPipelineKafka(broker.bootstrapServers())) {
      System.err.printf("bench fuzz: embedded Kafka at %s%n", broker.bootstrapServers());
      String bootstrap = broker.bootstrapServers();
      Topics.createAll(kafka.admin(), (short) 1, Duration.ofSeconds(30));
      BenchPipelineEvents events = new BenchPipelineEvents(test, run);
      Map<TopicPartition, Long> inputStart =
          kafka.endOffsets(List.of(Topics.CATALOG, Topics.QUERIES));
      for (int i = 0; i < SEED_ITEMS; i++) {
        kafka.send(Topics.CATALOG, events.catalogItem(i % test.size()));
      }
      kafka.flush();
      AttackWorkerSettings workerSettings = worker(bootstrap, broker.clusterId());
      RankerSettings rankerSettings = ranker(bootstrap);
      kafka.startGroupAt(workerSettings.groupId(), inputStart);
      kafka.startGroupAt(
          rankerSettings.groupId(), kafka.endOffsets(List.of(Topics.QUERIES_DELIVERED)));
      BenchFuzzReport report = new BenchFuzzReport();
      Clock clock = Clock.systemUTC();
      try (RankerService ranker = RankerService.create(rankerSettings, clock, registry);
          AttackWorkerService worker = AttackWorkerService.create(workerSettings, clock, registry);
          MonitorService monitor = MonitorService.create(monitor(bootstrap), registry);
          BenchFuzzTraffic traffic = new BenchFuzzTraffic(bootstrap, report)) {
        ranker.start();
        worker.start();
        monitor.start();
        awaitStarted(kafka, ranker, worker, workerSettings, rankerSettings);
        awaitRunning(monitor);
        BenchFuzzRecords fuzz = new BenchFuzzRecords(seed, MAX_EVENT_BYTES + 1024);
        for (Topic<String, ImageEvent> topic : BenchFuzzTraffic.INPUTS) {
          System.err.printf("bench fuzz: %d malformed records to %s%n", records, topic.name());
          traffic.send(topic, fuzz, events, records, validEvery);
        }
        System.err.printf(
            "bench fuzz: %d malformed records to %s%n", records, Topics.RANKINGS.name());
        traffic.send(
            Topics.RANKINGS,
            fuzz,
            records,
            this::ranking,
            i -> ranking(i).toBuilder().clearQueryId().build());
        System.err.printf(
            "bench fuzz: %d malformed records to %s%n",
            records, Topics.CATALOG_OBSERVATIONS.name());
        traffic.send(
            Topics.CATALOG_OBSERVATIONS,
            fuzz,
            records,
            this::observation,
            i -> observation(i).toBuilder().clearItemId().build());
        traffic.flush();
        System.err.println("bench fuzz: sent; counting dead letters and outputs");
        traffic.await(
            Duration.ofSeconds(timeout),
            () -> ranker.failure().or(worker::failure).or(monitor::failure));
        report.service("ranker", state(ranker.health(), ranker.failure()));
        report.service("attack-worker", state(worker.health(), worker.failure()));
        report.service("monitor", state(monitor.health(), monitor.failure()));
      }
      report.tally();
      double seconds = (System.nanoTime() - start) / 1e9;
      output.print(report.json(records, seed, seconds), () -> report.table(seconds));
      return report.passed() ? 0 : 1;
    }
  }

  private static void awaitStarted(
      BenchPipelineKafka kafka,
      RankerService ranker,
      AttackWorkerService worker,
      AttackWorkerSettings w,
      RankerSettings r)
      throws Exception {
    if (!worker.awaitReady(Duration.ofMinutes(5)) || !ranker.awaitReady(Duration.ofMinutes(5))) {
      throw new TimeoutException("the services did not start in 5 minutes");
    }
    kafka.awaitAssigned(w.groupId(), Duration.ofMinutes(1));
    kafka.awaitAssigned(r.groupId(), Duration.ofMinutes(1));
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (ranker.catalogSize() < SEED_ITEMS) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("the ranker indexed only " + ranker.catalogSize() + " items");
      }
      Thread.sleep(100);
    }
  }

  private static void awaitRunning(MonitorService monitor) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (!monitor.running()) {
      if (monitor.failure().isPresent() || System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the monitor did not start: "
                + monitor.failure().map(Throwable::toString).orElse("5 minutes passed"));
      }
      Thread.sleep(100);
    }
  }

  /** A ranking the monitor accepts; with this run's id, so it is never taken for a real one. */
  private RankingResult ranking(int i) {
    String id = "bench-" + run + "-fuzz-ranking-" + i;
    return RankingResult.newBuilder()
        .setQueryEventId(id)
        .setQueryId(id)
        .setModelVersion("bench-fuzz")
        .setGallerySize(100)
        .setRankedAtMs(System.currentTimeMillis())
        .build();
  }

  /** A catalog observation the monitor accepts. */
  private CatalogObservation observation(int i) {
    String id = "bench-" + run + "-fuzz-observation-" + i;
    return CatalogObservation.newBuilder()
        .setItemId(id)
        .setEventId(id)
        .setModelVersion("bench-fuzz")
        .setConsistencyScore(0.5f)
        .setObservedAtMs(System.currentTimeMillis())
        .build();
  }

  private MonitorSettings monitor(String bootstrap) throws java.io.IOException {
    Map<String, String> flags = BenchSettings.common(bootstrap);
    flags.put(MonitorSettings.MODEL_DIR.key(), model.dir.toString());
    flags.put(MonitorSettings.APPLICATION_ID.key(), "bench-" + run + "-fuzz-monitor");
    // A fresh broker has no monitor state to resume: start from empty state every run.
    flags.put(
        MonitorSettings.STATE_DIR.key(),
        Files.createTempDirectory("advrank-monitor-fuzz").toString());
    return MonitorSettings.from(
        SettingsSource.load(MonitorSettings.KEYS, flags, System.getenv(), null));
  }

  private static String state(Health health, Optional<Throwable> failure) {
    if (failure.isPresent()) {
      return "FAILED: " + failure.get();
    }
    return health.healthy() ? "UP" : "DOWN " + health.details();
  }

  private AttackWorkerSettings worker(String bootstrap, String clusterId) {
    Map<String, String> flags = BenchSettings.common(bootstrap);
    String name = "bench-" + run + "-fuzz-worker";
    flags.put(AttackWorkerSettings.MODEL_DIR.key(), model.dir.toString());
    flags.put(
        AttackWorkerSettings.CAMPAIGN.key(), ""); // nothing attacked: every valid event forwarded
    flags.put(AttackWorkerSettings.MAX_EVENT_BYTES.key(), Integer.toString(MAX_EVENT_BYTES));
    flags.putAll(StagingFence.settingsFor(clusterId));
    flags.put(AttackWorkerSettings.GROUP_ID.key(), name);
    flags.put(AttackWorkerSettings.WORKER_ID.key(), name);
    return AttackWorkerSettings.from(
        SettingsSource.load(AttackWorkerSettings.KEYS, flags, System.getenv(), null));
  }

  private RankerSettings ranker(String bootstrap) {
    return BenchSettings.ranker(bootstrap, model.dir, "bench-" + run + "-fuzz-ranker");
  }

  private static void require(boolean ok, String option, Object value, String rule) {
    if (!ok) {
      throw new IllegalArgumentException(option + ": must be " + rule + ", was " + value);
    }
  }
}
