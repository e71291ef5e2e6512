package io.advrank.cli;

import io.advrank.attackworker.AttackWorkerService;
import io.advrank.attackworker.AttackWorkerSettings;
import io.advrank.attackworker.Campaign;
import io.advrank.attackworker.StagingFence;
import io.advrank.core.attack.AttackProfile;
import io.advrank.core.model.ModelManifest;
import io.advrank.core.model.ModelSpec;
import io.advrank.defensetrainer.DefenseTrainerService;
import io.advrank.defensetrainer.DefenseTrainerSettings;
import io.advrank.monitor.MonitorQueries;
import io.advrank.monitor.MonitorService;
import io.advrank.monitor.MonitorSettings;
import io.advrank.producer.ProducerService;
import io.advrank.producer.ProducerSettings;
import io.advrank.ranker.RankerService;
import io.advrank.ranker.RankerSettings;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.kafka.EmbeddedKafka;
import io.advrank.runtime.metrics.Health;
import io.advrank.runtime.metrics.KafkaClientMeters;
import io.advrank.runtime.metrics.MetricsServer;
import io.advrank.runtime.metrics.ProcessRegistry;
import io.advrank.runtime.settings.KafkaSecurity;
import io.advrank.runtime.settings.SettingsSource;
import io.advrank.runtime.topic.Topics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code advrank demo}: the whole pipeline in one process — an embedded Kafka broker (or an
 * existing cluster), the producer, the attack-worker, the ranker, the monitor and the
 * defense-trainer — with a live summary.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Run the whole pipeline in one process: an embedded Kafka broker (KRaft), the "
            + "producer (catalog + shopper queries), the attack-worker (a campaign of "
            + "CA+/CA-/SP-QA+/SP-QA-) the ranker and the monitor (alerts), printing a live "
            + "summary. Stops after --duration or on Ctrl-C.")
final class DemoCommand implements Callable<Integer> {
  static final String DEFAULT_CAMPAIGN =
      "CA+ eps=0.1 w=1 fraction=0.2; CA- eps=0.1 w=1 fraction=0.1;"
          + " SP-QA+ eps=0.1 m=1 fraction=0.2; SP-QA- eps=0.1 m=1 fraction=0.1";

  /** How often the demo looks for its first published rank shift (issue #4: within 60 s). */
  private static final Duration FIRST_SHIFT_POLL = Duration.ofMillis(100);

  @Mixin DataOptions data;
  @Mixin ModelOptions model;

  @Option(
      names = "--bootstrap-servers",
      description = "Use this Kafka cluster instead of starting an embedded broker.")
  String bootstrapServers;

  @Option(
      names = "--duration",
      description = "Stop after this long, e.g. 90s or 15m (default: run until Ctrl-C).")
  String duration;

  @Option(
      names = "--campaign",
      defaultValue = DEFAULT_CAMPAIGN,
      description = "The adversary's campaign (default: ${DEFAULT-VALUE}).")
  String campaign;

  @Option(
      names = "--catalog-limit",
      defaultValue = "2000",
      description = "Catalog items taken from the test split (default: ${DEFAULT-VALUE}).")
  int catalogLimit;

  @Option(
      names = "--query-rate",
      defaultValue = "20",
      description = "Shopper queries per second (default: ${DEFAULT-VALUE}).")
  double queryRate;

  @Option(
      names = "--interval",
      defaultValue = "5",
      description = "Seconds between summary lines (default: ${DEFAULT-VALUE}).")
  double interval;

  @Option(
      names = "--defense-trainer",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Run the defense-trainer (EST fine-tuning, gated versions hot-swapped into the "
              + "ranker and the attack-worker); --no-defense-trainer saves its CPU (default: on).")
  boolean defenseTrainer;

  @Option(
      names = "--metrics-port",
      defaultValue = "9400",
      description =
          "Port of /metrics and /health for the whole process (default: ${DEFAULT-VALUE}).")
  int metricsPort;

  @Option(
      names = "--bad-records",
      defaultValue = "0",
      description =
          "Write this many malformed records to the query topic at start, to show that bad "
              + "input is dead-lettered and counted, not fatal (default: ${DEFAULT-VALUE}).")
  int badRecords;

  @Option(
      names = "--monitor-port",
      defaultValue = "9420",
      description =
          "Port of the monitor's interactive queries, /drift?item=ID and /alerts"
              + " (default: ${DEFAULT-VALUE}).")
  int monitorPort;

  @Option(
      names = "--no-monitor",
      description = "Do not run the monitor (rank-manipulation detection).")
  boolean noMonitor;

  private final Deque<AutoCloseable> resources = new ArrayDeque<>();

  /** The id of the broker the demo started, which its attack-worker may attack; null for none. */
  private String ownClusterId;

  @Override
  public Integer call() throws Exception {
    long deadline = deadlineNanos();
    CountDownLatch stop = new CountDownLatch(1);
    Thread hook = new Thread(stop::countDown, "demo-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    long t0 = System.nanoTime();
    try {
      String bootstrap = bootstrapServers != null ? bootstrapServers : startBroker();
      PrometheusMeterRegistry registry = ProcessRegistry.create();
      KafkaClientMeters adminMeters = keep(new KafkaClientMeters(registry));
      Admin admin =
          keep(
              adminMeters.bind(
                  Admin.create(ClientProperties.admin(bootstrap, "advrank-demo-admin"))));
      Topics.createAll(admin, (short) 1, Duration.ofSeconds(30));
      Services services = startServices(bootstrap, registry);
      keep(MetricsServer.start(metricsPort, registry, services::health));
      sendBadRecords(bootstrap);
      System.err.printf(
          "demo: pipeline up in %.1f s; metrics at http://localhost:%d/metrics%n",
          (System.nanoTime() - t0) / 1e9, metricsPort);
      DemoSummary summary = new DemoSummary(registry, new LagProbe(admin)::totalLag);
      long intervalNanos = Math.round(interval * 1e9);
      long nextSummary = System.nanoTime() + intervalNanos;
      boolean firstShiftSeen = false;
      while (true) {
        long wait = nextSummary - System.nanoTime();
        if (!firstShiftSeen) {
          wait = Math.min(wait, FIRST_SHIFT_POLL.toNanos()); // time it to 0.1 s, not to a summary
        }
        if (stop.await(Math.max(0, wait), TimeUnit.NANOSECONDS)) {
          break;
        }
        if (!firstShiftSeen && summary.rankShifts() > 0) {
          firstShiftSeen = true;
          System.err.printf(
              "demo: first rank shift published %.1f s after start%n",
              (System.nanoTime() - t0) / 1e9);
        }
        if (System.nanoTime() >= nextSummary) {
          nextSummary += intervalNanos;
          summary.print(System.out, (System.nanoTime() - t0) / 1e9);
          services.throwIfFailed();
          if (System.nanoTime() > deadline) {
            break;
          }
        }
      }
      return 0;
    } finally {
      closeAll();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C: the JVM is already exiting.
      }
    }
  }

  private String startBroker() {
    // The demo's own broker listens in plain text: ADVRANK_KAFKA_SECURITY_* is for a given cluster.
    ClientProperties.useSecurity(KafkaSecurity.PLAINTEXT);
    EmbeddedKafka kafka = keep(EmbeddedKafka.start());
    ownClusterId = kafka.clusterId();
    System.err.printf(
        "demo: embedded Kafka at %s (%d ms)%n",
        kafka.bootstrapServers(), kafka.startupTime().toMillis());
    return kafka.bootstrapServers();
  }

  private Services startServices(String bootstrap, PrometheusMeterRegistry registry)
      throws Exception {
    Clock clock = Clock.systemUTC();
    Map<String, String> common = new HashMap<>();
    common.put("kafka.bootstrap.servers", bootstrap);
    common.put("metrics.port", "0");
    Map<String, String> producerFlags = new HashMap<>(common);
    producerFlags.put(ProducerSettings.DATA_DIR, data.dir.toString());
    // Photo folders are sent at the model's input; IDX files keep their own shape.
    ModelManifest servedManifest = ModelManifest.read(model.dir);
    ModelSpec served = servedManifest.spec();
    producerFlags.put(
        ProducerSettings.IMAGE_SHAPE,
        served.channels() + "x" + served.height() + "x" + served.width());
    producerFlags.put(ProducerSettings.CATALOG_LIMIT, Integer.toString(catalogLimit));
    producerFlags.put(ProducerSettings.QUERY_RATE, Double.toString(queryRate));
    Map<String, String> rankerFlags = new HashMap<>(common);
    rankerFlags.put(RankerSettings.MODEL_DIR, model.dir.toString());
    rankerFlags.put(RankerSettings.DEVICE, model.device.device);
    Map<String, String> workerFlags = new HashMap<>(common);
    workerFlags.put(AttackWorkerSettings.MODEL_DIR, model.dir.toString());
    workerFlags.put(AttackWorkerSettings.DEVICE, model.device.device);
    workerFlags.put(AttackWorkerSettings.CAMPAIGN, campaign);
    if (ownClusterId != null) {
      // The demo's own broker is a staging cluster by construction; a given cluster must be
      // named as staging by the user (ADVRANK_STAGING_CLUSTER_ID, ADVRANK_WRITE_ALLOWED_TOPICS).
      workerFlags.putAll(StagingFence.settingsFor(ownClusterId));
    }
    Map<String, String> env = System.getenv();
    RankerService ranker =
        keep(
            RankerService.create(
                RankerSettings.from(
                    SettingsSource.load(RankerSettings.KEYS, rankerFlags, env, null)),
                clock,
                registry));
    AttackWorkerService worker =
        keep(
            AttackWorkerService.create(
                AttackWorkerSettings.from(
                    SettingsSource.load(AttackWorkerSettings.KEYS, workerFlags, env, null)),
                clock,
                registry));
    ProducerService producer =
        keep(
            ProducerService.create(
                ProducerSettings.from(
                    SettingsSource.load(ProducerSettings.KEYS, producerFlags, env, null)),
                clock,
                registry));
    DefenseTrainerService trainer = null;
    if (defenseTrainer) {
      Map<String, String> trainerFlags = new HashMap<>(common);
      trainerFlags.put(DefenseTrainerSettings.MODEL_DIR, model.dir.toString());
      trainerFlags.put(DefenseTrainerSettings.DEVICE, model.device.device);
      if (ModelSpec.TORCHSCRIPT.equals(served.architecture())) {
        // Hardened versions of a team's own model are named after it, not after our C2F1.
        String base = servedManifest.version().replaceAll("[^A-Za-z0-9._-]", "-");
        trainerFlags.put(
            DefenseTrainerSettings.VERSION_PREFIX,
            base.substring(0, Math.min(base.length(), 36)) + "-est");
      }
      // The trainer hardens the model against the campaign it sees: robrank's photo budgets
      // (inner attack at 8/255, probes at 4/255 and 8/255) when the campaign attacks under rob224.
      boolean rob224 =
          Campaign.parse(campaign, 0).attacks().stream()
              .anyMatch(a -> a.profile() == AttackProfile.ROB224);
      if (rob224) {
        trainerFlags.put(DefenseTrainerSettings.PROFILE, AttackProfile.ROB224.label());
      }
      // A small catalog (e.g. a team's own photo folder) must still leave the trainer a held-out
      // set to gate versions with: a quarter of it, at most the trainer's default of 500.
      if (catalogLimit > 0 && catalogLimit / 4 < 500) {
        int heldOut = Math.max(10, catalogLimit / 4);
        trainerFlags.put(DefenseTrainerSettings.HELD_OUT_IMAGES, Integer.toString(heldOut));
        trainerFlags.put(
            DefenseTrainerSettings.PROBE_ITEMS, Integer.toString(Math.min(50, heldOut / 2)));
      }
      trainer =
          keep(
              new DefenseTrainerService(
                  DefenseTrainerSettings.from(
                      SettingsSource.load(DefenseTrainerSettings.KEYS, trainerFlags, env, null)),
                  clock,
                  registry));
    }
    MonitorService monitor = noMonitor ? null : startMonitor(common, env, registry);
    ranker.start();
    worker.start();
    producer.start();
    if (trainer != null) {
      trainer.start();
    }
    return new Services(
        producer, worker, ranker, Optional.ofNullable(monitor), Optional.ofNullable(trainer));
  }

  private MonitorService startMonitor(
      Map<String, String> common, Map<String, String> env, PrometheusMeterRegistry registry)
      throws Exception {
    Map<String, String> flags = new HashMap<>(common);
    // A fresh broker has no monitor state to resume: start from empty state every run.
    flags.put(
        MonitorSettings.STATE_DIR, Files.createTempDirectory("advrank-monitor-demo").toString());
    MonitorSettings settings =
        MonitorSettings.from(SettingsSource.load(MonitorSettings.KEYS, flags, env, null));
    MonitorService monitor = keep(MonitorService.create(settings, registry));
    keep(MonitorQueries.start(monitorPort, monitor));
    monitor.start();
    System.err.printf(
        "demo: monitor queries at http://localhost:%d/alerts and /drift?item=ID%n", monitorPort);
    return monitor;
  }

  /** Bytes that are no {@code ImageEvent}: the attack-worker dead-letters them as malformed. */
  private void sendBadRecords(String bootstrap) {
    if (badRecords <= 0) {
      return;
    }
    Properties props = ClientProperties.secured(new Properties());
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < badRecords; i++) {
        byte[] garbage = ("not an ImageEvent #" + i).getBytes(StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(Topics.QUERIES.name(), garbage, garbage));
      }
    }
    System.err.printf("demo: wrote %d malformed records to %s%n", badRecords, Topics.QUERIES);
  }

  private long deadlineNanos() {
    if (duration == null) {
      return Long.MAX_VALUE;
    }
    return System.nanoTime() + SettingsSource.parseDuration("--duration", duration).toNanos();
  }

  private <T extends AutoCloseable> T keep(T resource) {
    resources.push(resource);
    return resource;
  }

  private void closeAll() {
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception e) {
        System.err.println("demo: while stopping: " + e);
      }
    }
  }

  /** The services (monitor and trainer optional), for health and failure checks. */
  private record Services(
      ProducerService producer,
      AttackWorkerService worker,
      RankerService ranker,
      Optional<MonitorService> monitor,
      Optional<DefenseTrainerService> trainer) {
    Health health() {
      Health[] all = {
        producer.health(),
        worker.health(),
        ranker.health(),
        monitor.map(MonitorService::health).orElse(Health.up()),
        trainer.map(DefenseTrainerService::health).orElse(Health.up())
      };
      for (Health h : all) {
        if (!h.healthy()) {
          return h;
        }
      }
      return all[0];
    }

    void throwIfFailed() {
      for (var failure :
          new Optional<?>[] {
            producer.failure(),
            worker.failure(),
            ranker.failure(),
            monitor.flatMap(MonitorService::failure),
            trainer.flatMap(DefenseTrainerService::failure)
          }) {
        if (failure.isPresent()) {
          throw new IllegalStateException("a service failed: " + failure.get());
        }
      }
    }
  }
}
