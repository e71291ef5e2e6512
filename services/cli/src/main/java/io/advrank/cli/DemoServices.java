package io.advrank.cli;

import io.advrank.attackworker.AttackWorkerService;
import io.advrank.attackworker.AttackWorkerSettings;
import io.advrank.attackworker.Campaign;
import io.advrank.attackworker.StagingFence;
import io.advrank.console.ConsoleService;
import io.advrank.console.ConsoleSettings;
import io.advrank.core.attack.AttackProfile;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.detection.DetectorThresholds;
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
import io.advrank.runtime.lifecycle.RunningService;
import io.advrank.runtime.lifecycle.TempDirectory;
import io.advrank.runtime.metrics.Health;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.settings.SettingsSource;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's services in one process, on one Kafka address, set up from {@link DemoCommand}'s
 * options: producer, attack-worker, ranker, and unless switched off the monitor (with its
 * interactive queries), the defense-trainer and the web console. Every resource goes to the demo's
 * {@code keep}, which closes them in reverse order when the demo ends.
 */
final class DemoServices {
  /** The running services, for the demo's health and failure checks. */
  record Running(List<RunningService> all, boolean withMonitor, String monitorUrl) {
    /** The first unhealthy service's health, else the producer's. */
    Health health() {
      for (RunningService s : all) {
        Health h = s.health();
        if (!h.healthy()) {
          return h;
        }
      }
      return all.get(0).health();
    }

    /** Throws if any service stopped on an error. */
    void throwIfFailed() {
      for (RunningService s : all) {
        if (s.failure().isPresent()) {
          throw new IllegalStateException("a service failed: " + s.failure().get());
        }
      }
    }
  }

  private final DemoCommand o;
  private final String bootstrap;
  private final PrometheusMeterRegistry registry;
  private final Keeper keeper;

  /** Where the monitor's interactive queries answer, once it runs; empty without a monitor. */
  private String monitorUrl = "";

  private DemoSigning signing; // the model feeds' trust, which the console shares

  /** Hands a resource to the demo, to be closed when it ends; returns it. */
  interface Keeper {
    <T extends AutoCloseable> T keep(T resource);
  }

  private DemoServices(
      DemoCommand options, String bootstrap, PrometheusMeterRegistry registry, Keeper keeper) {
    this.o = options;
    this.bootstrap = bootstrap;
    this.registry = registry;
    this.keeper = keeper;
  }

  /** Builds and starts the services (the console last, once the monitor's address is known). */
  static Running start(
      DemoCommand options, String bootstrap, PrometheusMeterRegistry registry, Keeper keeper)
      throws Exception {
    DemoServices demo = new DemoServices(options, bootstrap, registry, keeper);
    Running running = demo.startServices();
    demo.startConsole();
    return running;
  }

  private <T extends AutoCloseable> T keep(T resource) {
    return keeper.keep(resource);
  }

  private Running startServices() throws Exception {
    Clock clock = Clock.systemUTC();
    Map<String, String> common = new HashMap<>();
    common.put("kafka.bootstrap.servers", bootstrap);
    common.put("metrics.port", "0");
    Map<String, String> producerFlags = new HashMap<>(common);
    producerFlags.put(ProducerSettings.DATA_DIR.key(), o.data.dir.toString());
    // Photo folders are sent at the model's input; IDX files keep their own shape.
    ModelManifest servedManifest = ModelManifest.read(o.model.dir);
    ModelSpec served = servedManifest.spec();
    Path modelDir = servedModelDir(servedManifest);
    producerFlags.put(
        ProducerSettings.IMAGE_SHAPE.key(),
        served.channels() + "x" + served.height() + "x" + served.width());
    producerFlags.put(ProducerSettings.CATALOG_LIMIT.key(), Integer.toString(o.catalogLimit));
    producerFlags.put(ProducerSettings.QUERY_RATE.key(), Double.toString(o.queryRate));
    Map<String, String> rankerFlags = new HashMap<>(common);
    rankerFlags.put(RankerSettings.MODEL_DIR.key(), modelDir.toString());
    rankerFlags.put(RankerSettings.DEVICE.key(), o.model.device.device);
    Map<String, String> workerFlags = new HashMap<>(common);
    workerFlags.put(AttackWorkerSettings.MODEL_DIR.key(), modelDir.toString());
    workerFlags.put(AttackWorkerSettings.DEVICE.key(), o.model.device.device);
    workerFlags.put(AttackWorkerSettings.CAMPAIGN.key(), o.campaign);
    if (o.ownClusterId != null) {
      // The demo's own broker is a staging cluster by construction; a given cluster must be
      // named as staging by the user (ADVRANK_STAGING_CLUSTER_ID, ADVRANK_WRITE_ALLOWED_TOPICS).
      workerFlags.putAll(StagingFence.settingsFor(o.ownClusterId));
    }
    Map<String, String> env = System.getenv();
    signing = keep(DemoSigning.create(env));
    signing.trust(rankerFlags);
    signing.trust(workerFlags);
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
    if (o.defenseTrainer) {
      Map<String, String> trainerFlags = new HashMap<>(common);
      trainerFlags.put(DefenseTrainerSettings.MODEL_DIR.key(), modelDir.toString());
      trainerFlags.put(DefenseTrainerSettings.DEVICE.key(), o.model.device.device);
      signing.sign(trainerFlags);
      if (!ModelSpec.C2F1.equals(served.architecture())) {
        // Hardened versions of a team's own model (or of an rc2f2) are named after it, not after
        // our C2F1.
        String base = servedManifest.version().replaceAll("[^A-Za-z0-9._-]", "-");
        trainerFlags.put(
            DefenseTrainerSettings.VERSION_PREFIX.key(),
            base.substring(0, Math.min(base.length(), 36)) + "-est");
      }
      // The trainer hardens the model against the campaign it sees: robrank's photo budgets
      // (inner attack at 8/255, probes at 4/255 and 8/255) when the campaign attacks under rob224.
      boolean rob224 =
          Campaign.parse(o.campaign, 0).attacks().stream()
              .anyMatch(a -> a.profile() == AttackProfile.ROB224);
      if (rob224) {
        trainerFlags.put(DefenseTrainerSettings.PROFILE.key(), AttackProfile.ROB224.label());
      }
      // A small catalog (e.g. a team's own photo folder) must still leave the trainer a held-out
      // set to gate versions with: a quarter of it, at most the trainer's default of 500.
      if (o.catalogLimit > 0 && o.catalogLimit / 4 < 500) {
        int heldOut = Math.max(10, o.catalogLimit / 4);
        trainerFlags.put(DefenseTrainerSettings.HELD_OUT_IMAGES.key(), Integer.toString(heldOut));
        trainerFlags.put(
            DefenseTrainerSettings.PROBE_ITEMS.key(), Integer.toString(Math.min(50, heldOut / 2)));
      }
      trainer =
          keep(
              new DefenseTrainerService(
                  DefenseTrainerSettings.from(
                      SettingsSource.load(DefenseTrainerSettings.KEYS, trainerFlags, env, null)),
                  clock,
                  registry));
    }
    MonitorService monitor = o.noMonitor ? null : startMonitor(common, env, modelDir);
    ranker.start();
    worker.start();
    producer.start();
    if (trainer != null) {
      trainer.start();
    }
    List<RunningService> all = new ArrayList<>(List.of(producer, worker, ranker));
    if (monitor != null) {
      all.add(monitor);
    }
    if (trainer != null) {
      all.add(trainer);
    }
    return new Running(all, monitor != null, monitorUrl);
  }

  private MonitorService startMonitor(
      Map<String, String> common, Map<String, String> env, Path modelDir) throws Exception {
    Map<String, String> flags = new HashMap<>(common);
    // The served version's detector thresholds are in its manifest.
    flags.put(MonitorSettings.MODEL_DIR.key(), modelDir.toString());
    // A fresh broker has no monitor state to resume: start from empty state every run.
    // Deleted when the demo ends, after the monitor (registered below) is closed.
    Path state = keep(TempDirectory.create("advrank-monitor-demo")).path();
    flags.put(MonitorSettings.STATE_DIR.key(), state.toString());
    MonitorSettings settings =
        MonitorSettings.from(SettingsSource.load(MonitorSettings.KEYS, flags, env, null));
    MonitorService monitor = keep(MonitorService.create(settings, registry));
    MonitorQueries queries = keep(MonitorQueries.start(o.monitorPort, monitor));
    monitorUrl = "http://localhost:" + queries.port();
    monitor.start();
    System.err.printf(
        "demo: monitor queries at http://localhost:%d/alerts and /drift?item=ID%n", queries.port());
    return monitor;
  }

  /** The web console on loopback; it prints its URL (docs/console.md). */
  void startConsole() throws Exception {
    if (o.consolePort < 0) {
      return;
    }
    Map<String, String> flags = new HashMap<>();
    flags.put(KafkaSettings.BOOTSTRAP_SERVERS, bootstrap);
    flags.put(ConsoleSettings.PORT.key(), Integer.toString(o.consolePort));
    flags.put(ConsoleSettings.MONITOR_URL.key(), monitorUrl);
    if (signing != null) {
      signing.trust(flags); // it lists as refused what the ranker and attack-worker refuse
    }
    ConsoleSettings settings =
        ConsoleSettings.from(
            SettingsSource.load(ConsoleSettings.KEYS, flags, System.getenv(), null));
    ConsoleService console = keep(ConsoleService.create(settings, Clock.systemUTC(), registry));
    console.start();
    System.err.println("demo: web console at " + console.url());
  }

  /**
   * The model directory every service serves: {@code --model} itself when its manifest has detector
   * thresholds, else a calibrated copy (thresholds and clean scales on the test split, as the
   * version-makers compute them) in a temporary directory. On failure (e.g. too few readable
   * photos) {@code --model} as it is: the monitor then calibrates on live traffic, and says so.
   */
  private Path servedModelDir(ModelManifest served) {
    if (served.detection() != null || o.noMonitor) {
      return o.model.dir;
    }
    long t0 = System.nanoTime();
    try {
      // deleted after the services that serve it, which are registered later
      Path copy = keep(TempDirectory.create("advrank-demo-model-")).path();
      try (var files = Files.list(o.model.dir)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          Files.copy(f, copy.resolve(f.getFileName()));
        }
      }
      DetectorThresholds t =
          DetectorCalibration.directory(
                  copy,
                  o.data.load(DatasetDirectory.Split.TEST, 0, null, served.spec()),
                  o.model.device.resolve(),
                  o.output.quietProgress())
              .detection();
      System.err.printf(
          Locale.ROOT,
          "demo: %s had no detector thresholds: calibrated on %d clean test images in %.1f s"
              + " (query_hijack > %.2f, photo_inconsistency > %.2f), served from %s%n",
          served.version(),
          t.images(),
          (System.nanoTime() - t0) / 1e9,
          t.queryHijack(),
          t.catalogPhoto(),
          copy);
      return copy;
    } catch (Exception e) {
      System.err.println(
          "demo: could not calibrate the detectors ("
              + e.getMessage()
              + "): the monitor calibrates on live traffic");
      return o.model.dir;
    }
  }
}
