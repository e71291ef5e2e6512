package io.advrank.cli.bench;

import io.advrank.attackworker.AttackWorkerService;
import io.advrank.attackworker.AttackWorkerSettings;
import io.advrank.attackworker.StagingFence;
import io.advrank.console.ConsoleService;
import io.advrank.console.ConsoleSettings;
import io.advrank.defensetrainer.DefenseTrainerService;
import io.advrank.defensetrainer.DefenseTrainerSettings;
import io.advrank.monitor.MonitorService;
import io.advrank.monitor.MonitorSettings;
import io.advrank.ranker.RankerService;
import io.advrank.ranker.RankerSettings;
import io.advrank.runtime.lifecycle.TempDirectory;
import io.advrank.runtime.metrics.Health;
import io.advrank.runtime.settings.SettingsSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * The five services whose inputs {@code bench fuzz} writes, in this process: the attack-worker, the
 * ranker, the monitor, the defense-trainer and the web console, each with the settings a user would
 * give it, on the bench's own broker. The defense-trainer reads and checks every record as always
 * but never evaluates, so it publishes no model version into the fuzzed model topic; its batch is
 * its whole buffer, so it trains only once more than 1,024 catalog images were accepted (at about
 * 7,000 records per topic, oversized items included), and then with one attack iteration a step: it
 * reads one poll (500 records) a step, so its steps pace its reading. The model consumers trust the
 * run's own key only ({@link BenchFuzzSigning}), as the demo's do.
 */
final class BenchFuzzServices implements AutoCloseable {
  /** The attack-worker's event.max.bytes here: oversized records are a little larger. */
  static final int MAX_EVENT_BYTES = 64 * 1024;

  /** The defense-trainer's batch and buffer: it trains only once this many images came. */
  private static final int TRAINER_BATCH = 1024;

  private final AttackWorkerSettings workerSettings;
  private final RankerSettings rankerSettings;
  private final DefenseTrainerSettings trainerSettings;
  private final ConsoleSettings consoleSettings;
  private final RankerService ranker;
  private final AttackWorkerService worker;
  private final MonitorService monitor;
  private final DefenseTrainerService trainer;
  private final ConsoleService console;
  private final MeterRegistry registry;
  private String rankerServed;
  private String workerServed;

  /** Creates the services' settings and clients; nothing runs before {@link #start}. */
  BenchFuzzServices(
      String bootstrap,
      String clusterId,
      Path modelDir,
      String run,
      Clock clock,
      MeterRegistry registry,
      BenchFuzzSigning signing)
      throws Exception {
    String name = "bench-" + run + "-fuzz-";
    this.registry = registry;
    this.workerSettings = worker(bootstrap, clusterId, modelDir, name + "worker", signing);
    Map<String, String> trust = new HashMap<>();
    signing.trust(trust);
    this.rankerSettings = BenchSettings.ranker(bootstrap, modelDir, name + "ranker", trust);
    this.trainerSettings = trainer(bootstrap, modelDir, name + "trainer", signing);
    this.consoleSettings = console(bootstrap, name + "console", signing);
    this.ranker = RankerService.create(rankerSettings, clock, registry);
    this.worker = AttackWorkerService.create(workerSettings, clock, registry);
    this.monitor = MonitorService.create(monitor(bootstrap, modelDir, name + "monitor"), registry);
    this.trainer = new DefenseTrainerService(trainerSettings, clock, registry);
    this.console = ConsoleService.create(consoleSettings, clock, registry);
  }

  String workerGroup() {
    return workerSettings.groupId();
  }

  String rankerGroup() {
    return rankerSettings.groupId();
  }

  void start() {
    ranker.start();
    worker.start();
    monitor.start();
    trainer.start();
    console.start();
  }

  /**
   * Waits until every service reads its inputs: the ranker has indexed the {@code seedItems}
   * catalog items uploaded before, every consumer group holds its partitions, the monitor runs.
   */
  void awaitStarted(BenchPipelineKafka kafka, int seedItems) throws Exception {
    if (!worker.awaitReady(Duration.ofMinutes(5)) || !ranker.awaitReady(Duration.ofMinutes(5))) {
      throw new TimeoutException("the services did not start in 5 minutes");
    }
    for (String group :
        List.of(
            workerSettings.groupId(),
            rankerSettings.groupId(),
            trainerSettings.groupId(),
            consoleSettings.groupId())) {
      kafka.awaitAssigned(group, Duration.ofMinutes(2));
    }
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (ranker.catalogSize() < seedItems || !monitor.running()) {
      Optional<Throwable> failed = failure();
      if (failed.isPresent() || System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the services did not start: "
                + failed.map(Throwable::toString).orElse("5 minutes passed")
                + "; the ranker indexed "
                + ranker.catalogSize()
                + " items");
      }
      Thread.sleep(100);
    }
    rankerServed = ranker.modelVersion();
    workerServed = worker.modelVersion();
  }

  /** The first failure of any service. */
  Optional<Throwable> failure() {
    return ranker
        .failure()
        .or(worker::failure)
        .or(monitor::failure)
        .or(trainer::failure)
        .or(console::failure);
  }

  /** Each service's state into {@code report}: UP, DOWN or FAILED with the cause. */
  void report(BenchFuzzReport report) {
    report.service(BenchFuzzConsumers.RANKER, state(ranker.health(), ranker.failure()));
    report.service(BenchFuzzConsumers.ATTACK_WORKER, state(worker.health(), worker.failure()));
    report.service(BenchFuzzConsumers.MONITOR, state(monitor.health(), monitor.failure()));
    report.service(BenchFuzzConsumers.DEFENSE_TRAINER, state(trainer.health(), trainer.failure()));
    report.service(BenchFuzzConsumers.CONSOLE, state(console.health(), console.failure()));
    for (Counter c : registry.find("advrank.model.refused").counters()) {
      report.modelRefused(
          c.getId().getTag("service"), c.getId().getTag("reason"), (long) c.count());
    }
    report.modelServed(BenchFuzzConsumers.RANKER, rankerServed, ranker.modelVersion());
    report.modelServed(BenchFuzzConsumers.ATTACK_WORKER, workerServed, worker.modelVersion());
  }

  private static String state(Health health, Optional<Throwable> failure) {
    if (failure.isPresent()) {
      return "FAILED: " + failure.get();
    }
    return health.healthy() ? "UP" : "DOWN " + health.details();
  }

  private static AttackWorkerSettings worker(
      String bootstrap, String clusterId, Path modelDir, String name, BenchFuzzSigning signing) {
    Map<String, String> flags = BenchSettings.common(bootstrap);
    signing.trust(flags);
    flags.put(AttackWorkerSettings.MODEL_DIR.key(), modelDir.toString());
    flags.put(
        AttackWorkerSettings.CAMPAIGN.key(), ""); // nothing attacked: every valid event forwarded
    flags.put(AttackWorkerSettings.MAX_EVENT_BYTES.key(), Integer.toString(MAX_EVENT_BYTES));
    flags.putAll(StagingFence.settingsFor(clusterId));
    flags.put(AttackWorkerSettings.GROUP_ID.key(), name);
    flags.put(AttackWorkerSettings.WORKER_ID.key(), name);
    return AttackWorkerSettings.from(
        SettingsSource.load(AttackWorkerSettings.KEYS, flags, System.getenv(), null));
  }

  private static MonitorSettings monitor(String bootstrap, Path modelDir, String name)
      throws IOException {
    Map<String, String> flags = BenchSettings.common(bootstrap);
    flags.put(MonitorSettings.MODEL_DIR.key(), modelDir.toString());
    flags.put(MonitorSettings.APPLICATION_ID.key(), name);
    // A fresh broker has no monitor state to resume: start from empty state every run.
    flags.put(
        MonitorSettings.STATE_DIR.key(),
        TempDirectory.untilExit("advrank-monitor-fuzz").toString());
    return MonitorSettings.from(
        SettingsSource.load(MonitorSettings.KEYS, flags, System.getenv(), null));
  }

  private static DefenseTrainerSettings trainer(
      String bootstrap, Path modelDir, String name, BenchFuzzSigning signing) {
    Map<String, String> flags = BenchSettings.common(bootstrap);
    signing.sign(flags); // it publishes nothing here, but a trainer that trusts keys signs
    flags.put(DefenseTrainerSettings.MODEL_DIR.key(), modelDir.toString());
    flags.put(DefenseTrainerSettings.GROUP_ID.key(), name);
    flags.put(DefenseTrainerSettings.TRAINER_ID.key(), name);
    flags.put(DefenseTrainerSettings.BATCH_SIZE.key(), Integer.toString(TRAINER_BATCH));
    flags.put(DefenseTrainerSettings.BUFFER_IMAGES.key(), Integer.toString(TRAINER_BATCH));
    flags.put(DefenseTrainerSettings.ATTACK_ITERATIONS.key(), "1");
    flags.put(DefenseTrainerSettings.EVAL_STEPS.key(), Integer.toString(Integer.MAX_VALUE));
    flags.put(DefenseTrainerSettings.EVAL_INTERVAL.key(), "1d");
    return DefenseTrainerSettings.from(
        SettingsSource.load(DefenseTrainerSettings.KEYS, flags, System.getenv(), null));
  }

  private static ConsoleSettings console(String bootstrap, String name, BenchFuzzSigning signing) {
    Map<String, String> flags = BenchSettings.common(bootstrap);
    signing.trust(flags); // it lists what the feeds refuse as refused
    flags.put(ConsoleSettings.PORT.key(), "0");
    flags.put(ConsoleSettings.GROUP_ID.key(), name);
    return ConsoleSettings.from(
        SettingsSource.load(ConsoleSettings.KEYS, flags, System.getenv(), null));
  }

  @Override
  public void close() throws Exception {
    try (ranker;
        worker;
        monitor;
        trainer) {
      console.close();
    }
  }
}
