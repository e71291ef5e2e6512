package io.advrank.cli.bench;

import io.advrank.attackworker.AttackWorkerService;
import io.advrank.attackworker.AttackWorkerSettings;
import io.advrank.attackworker.StagingFence;
import io.advrank.cli.DataOptions;
import io.advrank.cli.ModelOptions;
import io.advrank.cli.OutputOptions;
import io.advrank.core.attack.AttackSpec;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.embedded.EmbeddedKafka;
import io.advrank.proto.v1.RankShift;
import io.advrank.ranker.RankerSettings;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.metrics.ProcessRegistry;
import io.advrank.runtime.settings.KafkaSecurity;
import io.advrank.runtime.settings.SettingsSource;
import io.advrank.runtime.topic.Topics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code advrank bench pipeline}: the streaming system's two figures (docs/speed.md) from one run
 * on a real broker — CA+ attack throughput through Kafka against the same attacks in-process
 * ({@link BenchPipelineAttack}), and benign produce-to-ranking latency with nothing attacked
 * ({@link BenchPipelineLatency}). Services run in this process with one metrics registry, as in
 * {@code demo}; every Kafka name carries a run id, so a shared cluster's other traffic is left
 * alone.
 */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    description =
        "End-to-end figures of the Kafka pipeline, from one run on an embedded broker (or "
            + "--bootstrap-servers): (1) CA+ attacks/s of the attack-worker on --items uploads, "
            + "from the first upload to the last rank shift, beside the same attacks run "
            + "in-process in batches of --batch (goal: >= 0.9x), repeated for --rounds: the "
            + "first round runs in a cold JVM, the ratio pools the later ones, the steady state "
            + "of a long-running worker; (2) benign query latency, produced_at to ranking received, at "
            + "--query-rate for --seconds after --warmup seconds with an empty campaign (goal: "
            + "p99 < 50 ms), or while the worker attacks a share of the queries "
            + "(--latency-campaign).")
final class BenchPipelineCommand implements Callable<Integer> {
  @Mixin DataOptions data;
  @Mixin ModelOptions model;
  @Mixin OutputOptions output;

  @Option(
      names = "--bootstrap-servers",
      description = "Use this Kafka cluster instead of starting an embedded broker.")
  String bootstrapServers;

  @Option(
      names = "--items",
      defaultValue = "512",
      description = "Catalog uploads attacked, all with CA+ (default: ${DEFAULT-VALUE}).")
  int items;

  @Option(
      names = "--catalog",
      defaultValue = "2000",
      description =
          "Test images already in the catalog: the attack gallery, and with the attacked"
              + " uploads (clean) the ranker's catalog (default: ${DEFAULT-VALUE}).")
  int catalog;

  @Option(
      names = "--eps",
      defaultValue = "0.3",
      description = "CA+ budget epsilon (default: ${DEFAULT-VALUE}).")
  double eps;

  @Option(
      names = "--size",
      defaultValue = "1",
      description = "CA+ w: queries per attacked item (default: ${DEFAULT-VALUE}).")
  int size;

  @Option(
      names = "--batch",
      defaultValue = "64",
      description =
          "The attack-worker's batch.max, and the in-process batch size (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--batch-wait",
      description = "The attack-worker's batch.wait, e.g. 5ms (default: the worker's own).")
  String batchWait;

  @Option(
      names = "--query-rate",
      defaultValue = "200",
      description = "Benign queries per second (default: ${DEFAULT-VALUE}).")
  double queryRate;

  @Option(
      names = "--latency-campaign",
      defaultValue = "",
      description =
          "The attack-worker's campaign while benign latency is measured, e.g. \"SP-QA+ eps=0.1"
              + " m=1 fraction=0.02\": benign queries are timed while the worker attacks the"
              + " others (default: none, the issue's measure).")
  String latencyCampaign;

  @Option(
      names = "--seconds",
      defaultValue = "20",
      description = "Seconds of benign queries measured (default: ${DEFAULT-VALUE}).")
  double seconds;

  @Option(
      names = "--warmup",
      defaultValue = "60",
      description =
          "Seconds of benign queries at --query-rate before the measured ones, not timed: the"
              + " JIT compiles the hot path meanwhile (default: ${DEFAULT-VALUE}).")
  double warmup;

  @Option(
      names = "--rounds",
      defaultValue = "5",
      description =
          "Rounds of the attack comparison, each on new uploads of the same images: Kafka, then"
              + " in-process; the ratio pools rounds 2 and later (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--workers",
      split = ",",
      description =
          "Instead of the other measurements: the --items CA+ uploads served by each number of "
              + "attack-workers in one consumer group (e.g. 1,2): each worker's share, and one "
              + "rank shift per upload.")
  List<Integer> workers;

  private final String run = Long.toString(System.currentTimeMillis(), 36);

  @Override
  public Integer call() throws Exception {
    validate();
    ImageDataset test = data.load(DatasetDirectory.Split.TEST, null);
    if (catalog + items > test.size()) {
      throw new IllegalArgumentException(
          "--catalog + --items: must be <= the %d test images, was %d"
              .formatted(test.size(), catalog + items));
    }
    test = data.atInputOf(model.spec(), test);
    PrometheusMeterRegistry registry = ProcessRegistry.create();
    EmbeddedKafka broker = bootstrapServers == null ? startBroker() : null;
    String bootstrap = broker != null ? broker.bootstrapServers() : bootstrapServers;
    try (broker;
        BenchPipelineKafka kafka = new BenchPipelineKafka(bootstrap)) {
      Topics.createAll(kafka.admin(), (short) 1, Duration.ofSeconds(30));
      BenchPipelineEvents events = new BenchPipelineEvents(test, run);
      Map<TopicPartition, Long> runStart = kafka.endOffsets(List.of(Topics.CATALOG));
      for (int i = 0; i < catalog; i++) {
        kafka.send(Topics.CATALOG, events.catalogItem(i));
      }
      kafka.flush();
      if (workers != null) {
        return scaleOut(test, kafka, bootstrap);
      }
      AttackSpec spec = BenchPipelineAttack.caPlus(eps, size);
      List<BenchPipelineReport.Round> attacks = attacks(test, kafka, spec, bootstrap, registry);
      AttackWorkerSettings forwarding = worker(bootstrap, "benign", latencyCampaign);
      BenchPipelineLatency.Result benign =
          new BenchPipelineLatency(kafka, events, queryRate, warmup, seconds, forwarding.campaign())
              .run(forwarding, ranker(bootstrap), runStart, catalog + rounds * items, registry);
      BenchPipelineReport report =
          new BenchPipelineReport(spec, items, catalog, batch, attacks, queryRate, benign);
      output.print(report.json(), report::table);
      return 0;
    }
  }

  /**
   * Part 1, once per round: through Kafka, then in-process on the same device and weights; one
   * libtorch warm-up first so that neither pays its first-call costs. One attack-worker serves all
   * rounds, as one long-running worker would; each round uploads the same images under new ids. The
   * JVM's JIT and the worker's first PGD runs warm up over the first round, as they do in the first
   * minute of a worker.
   */
  private List<BenchPipelineReport.Round> attacks(
      ImageDataset test,
      BenchPipelineKafka kafka,
      AttackSpec spec,
      String bootstrap,
      PrometheusMeterRegistry registry)
      throws Exception {
    AttackWorkerSettings attacker =
        worker(bootstrap, "attack", "CA+ eps=%s w=%d fraction=1".formatted(eps, size));
    List<BenchPipelineReport.Round> out = new ArrayList<>();
    try (EmbeddingModel m = EmbeddingModel.load(model.dir, attacker.device().resolve());
        AttackWorkerService worker = BenchPipelineAttack.startWorker(kafka, attacker, registry);
        Consumer<String, RankShift> shifts = kafka.tail(Topics.RANK_SHIFTS)) {
      m.requireInputShape(test);
      for (int round = 1; round <= rounds; round++) {
        BenchPipelineAttack attack =
            new BenchPipelineAttack(
                kafka, new BenchPipelineEvents(test, run + "r" + round), catalog, items, spec);
        if (round == 1) {
          attack.warmUp(m, batch);
        }
        System.err.printf(
            "bench pipeline: round %d/%d: %d CA+ attacks through Kafka%n", round, rounds, items);
        BenchPipelineAttack.Run viaKafka = attack.throughKafka(worker, shifts, registry);
        System.err.printf(
            "bench pipeline: round %d/%d: the same %d attacks in-process%n", round, rounds, items);
        out.add(new BenchPipelineReport.Round(viaKafka, attack.inProcess(m, batch)));
      }
    }
    return out;
  }

  private int scaleOut(ImageDataset test, BenchPipelineKafka kafka, String bootstrap)
      throws Exception {
    List<BenchPipelineScaleOut.Run> runs = new ArrayList<>();
    for (int n : workers) {
      BenchPipelineEvents events = new BenchPipelineEvents(test, run + "w" + n);
      String campaign = "CA+ eps=%s w=%d fraction=1".formatted(eps, size);
      runs.add(
          BenchPipelineScaleOut.run(
              kafka,
              events,
              catalog,
              items,
              n,
              w -> worker(bootstrap, "scale" + n, campaign, "w" + w)));
    }
    output.print(
        BenchPipelineScaleOut.json(runs, items), () -> BenchPipelineScaleOut.table(runs, items));
    return runs.stream().allMatch(r -> r.shifts() == items && r.duplicates() == 0) ? 0 : 1;
  }

  private void validate() {
    require(items >= 1, "--items", items, ">= 1");
    require(catalog >= 2, "--catalog", catalog, ">= 2");
    require(eps > 0 && eps <= 1, "--eps", eps, "in (0, 1]");
    require(size >= 1 && size < catalog, "--size", size, "in 1.." + (catalog - 1));
    require(batch >= 1 && batch <= 1024, "--batch", batch, "in 1..1024");
    require(queryRate > 0 && queryRate <= 10_000, "--query-rate", queryRate, "in (0, 10000]");
    require(seconds > 0, "--seconds", seconds, "> 0");
    require(warmup >= 0, "--warmup", warmup, ">= 0");
    require(rounds >= 1 && rounds <= 10, "--rounds", rounds, "in 1..10");
    if (workers != null) {
      workers.forEach(n -> require(n >= 1 && n <= 8, "--workers", n, "in 1..8"));
    }
  }

  private static void require(boolean ok, String option, Object value, String rule) {
    if (!ok) {
      throw new IllegalArgumentException(option + ": must be " + rule + ", was " + value);
    }
  }

  private EmbeddedKafka startBroker() {
    ClientProperties.useSecurity(KafkaSecurity.PLAINTEXT); // our own broker listens in plain text
    EmbeddedKafka kafka = EmbeddedKafka.start();
    ownClusterId = kafka.clusterId();
    System.err.printf(
        "bench pipeline: embedded Kafka at %s (%d ms)%n",
        kafka.bootstrapServers(), kafka.startupTime().toMillis());
    return kafka;
  }

  /** The id of the broker this bench started, which its workers may attack; null for none. */
  private String ownClusterId;

  /** An attack-worker of this run: its own group and transactional id per phase. */
  private AttackWorkerSettings worker(String bootstrap, String phase, String campaign) {
    return worker(bootstrap, phase, campaign, "");
  }

  /** As above; {@code instance} tells workers of one group apart (their transactional ids). */
  private AttackWorkerSettings worker(
      String bootstrap, String phase, String campaign, String instance) {
    Map<String, String> flags = BenchSettings.common(bootstrap);
    String name = "bench-" + run + "-" + phase;
    flags.put(AttackWorkerSettings.MODEL_DIR.key(), model.dir.toString());
    flags.put(AttackWorkerSettings.CAMPAIGN.key(), campaign);
    flags.put(AttackWorkerSettings.BATCH_MAX.key(), Integer.toString(batch));
    if (ownClusterId != null) {
      flags.putAll(StagingFence.settingsFor(ownClusterId)); // else from ADVRANK_* (StagingFence)
    }
    flags.put(AttackWorkerSettings.GROUP_ID.key(), name);
    flags.put(
        AttackWorkerSettings.WORKER_ID.key(), instance.isEmpty() ? name : name + "-" + instance);
    if (batchWait != null) {
      flags.put(AttackWorkerSettings.BATCH_WAIT.key(), batchWait);
    }
    return AttackWorkerSettings.from(
        SettingsSource.load(AttackWorkerSettings.KEYS, flags, System.getenv(), null));
  }

  private RankerSettings ranker(String bootstrap) {
    return BenchSettings.ranker(bootstrap, model.dir, "bench-" + run + "-ranker");
  }
}
