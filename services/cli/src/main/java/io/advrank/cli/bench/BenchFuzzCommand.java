package io.advrank.cli.bench;

import io.advrank.cli.DataOptions;
import io.advrank.cli.ModelOptions;
import io.advrank.cli.OutputOptions;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.ImageDataset;
import io.advrank.embedded.EmbeddedKafka;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.metrics.ProcessRegistry;
import io.advrank.runtime.settings.KafkaSecurity;
import io.advrank.runtime.topic.Topic;
import io.advrank.runtime.topic.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code advrank bench fuzz}: writes malformed records of every kind in {@link BenchFuzzRecords} to
 * the input topics of the attack-worker ({@code advrank.catalog}, {@code advrank.queries}), the
 * ranker ({@code advrank.catalog.delivered}, {@code advrank.queries.delivered}), the monitor
 * ({@code advrank.rankings}, {@code advrank.catalog.observations}), the defense-trainer ({@code
 * advrank.adversarial}), the console ({@code advrank.rank-shifts}, {@code advrank.alerts}, {@code
 * advrank.model-decisions}) and the model feeds ({@code advrank.models}), mixed with valid traffic,
 * on an embedded broker with the five services running in this process ({@link BenchFuzzServices});
 * then counts ({@link BenchFuzzTraffic}, {@link BenchFuzzReport}) that each malformed record got
 * exactly one dead letter with the right reason from each service that reads its topic ({@link
 * BenchFuzzConsumers}), that each valid record came out once (a ranking, a catalog observation) or
 * got no dead letter, and that the services are still up. Exit 1 if any of that fails. See
 * docs/fuzz.md.
 */
@Command(
    name = "fuzz",
    mixinStandardHelpOptions = true,
    description =
        "Writes --records malformed records (random bytes, truncated protobuf, wrong message"
            + " type, wrong kind, missing ids, wrong pixel counts and shapes, NaN/Inf and"
            + " out-of-range pixels, oversized values, null keys, tombstones, tampered and"
            + " partial model versions, unsigned, foreign-signed and tampered signed versions) to"
            + " every input topic of the attack-worker, the ranker,"
            + " the monitor, the defense-trainer and the console, mixed with valid traffic, on an"
            + " embedded broker; exit 1 unless every service that reads a topic dead-letters each"
            + " malformed record once with the right reason, no valid record is lost and no"
            + " service fails.")
final class BenchFuzzCommand implements Callable<Integer> {
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
      BenchFuzzReport report = new BenchFuzzReport();
      try (BenchFuzzSigning signing = BenchFuzzSigning.create(seed);
          BenchFuzzServices services =
              new BenchFuzzServices(
                  bootstrap,
                  broker.clusterId(),
                  model.dir,
                  run,
                  Clock.systemUTC(),
                  registry,
                  signing);
          BenchFuzzTraffic traffic = new BenchFuzzTraffic(bootstrap, report)) {
        kafka.startGroupAt(services.workerGroup(), inputStart);
        kafka.startGroupAt(
            services.rankerGroup(), kafka.endOffsets(List.of(Topics.QUERIES_DELIVERED)));
        services.start();
        services.awaitStarted(kafka, SEED_ITEMS);
        send(traffic, events, new BenchFuzzMessages(run, events), signing);
        System.err.println("bench fuzz: sent; counting dead letters and outputs");
        traffic.await(Duration.ofSeconds(timeout), services::failure);
        services.report(report);
      }
      report.tally();
      double seconds = (System.nanoTime() - start) / 1e9;
      output.print(report.json(records, seed, seconds), () -> report.table(seconds));
      return report.passed() ? 0 : 1;
    }
  }

  /**
   * The malformed and valid records of every topic: the model topic first, so that the image
   * topics' valid traffic after it shows the services still serve.
   */
  private void send(
      BenchFuzzTraffic traffic,
      BenchPipelineEvents events,
      BenchFuzzMessages m,
      BenchFuzzSigning signing) {
    BenchFuzzRecords fuzz = new BenchFuzzRecords(seed, BenchFuzzServices.MAX_EVENT_BYTES + 1024);
    announce(Topics.MODELS);
    traffic.send(
        Topics.MODELS.name(),
        Stream.concat(BenchFuzzRecords.MODEL_KINDS.stream(), BenchFuzzSigning.KINDS.stream())
            .toList(),
        records,
        (kind, i) -> fuzz.model(kind, m.modelVersion(i), signing),
        validEvery,
        null);
    for (Topic<String, ImageEvent> topic : BenchFuzzTraffic.INPUTS) {
      announce(topic);
      traffic.send(topic, fuzz, events, records, validEvery);
    }
    announce(Topics.RANKINGS);
    traffic.send(
        Topics.RANKINGS,
        fuzz,
        records,
        0,
        m::ranking,
        i -> m.ranking(i).toBuilder().clearQueryId().build());
    announce(Topics.CATALOG_OBSERVATIONS);
    traffic.send(
        Topics.CATALOG_OBSERVATIONS,
        fuzz,
        records,
        0,
        m::observation,
        i -> m.observation(i).toBuilder().clearItemId().build());
    announce(Topics.ADVERSARIAL);
    traffic.send(
        Topics.ADVERSARIAL.name(),
        BenchFuzzRecords.VARIANT_KINDS,
        records,
        (kind, i) -> fuzz.variant(kind, m.variant(i)),
        validEvery,
        i -> traffic.unobserved(Topics.ADVERSARIAL.name(), m.variant(i).getItemId(), m.variant(i)));
    announce(Topics.RANK_SHIFTS);
    traffic.send(
        Topics.RANK_SHIFTS,
        fuzz,
        records,
        validEvery,
        m::rankShift,
        i -> m.rankShift(i).toBuilder().clearOriginalEventId().clearSubjectId().build());
    announce(Topics.ALERTS);
    traffic.send(
        Topics.ALERTS,
        fuzz,
        records,
        validEvery,
        m::alert,
        i -> m.alert(i).toBuilder().clearAlertId().build());
    announce(Topics.MODEL_DECISIONS);
    traffic.send(
        Topics.MODEL_DECISIONS.name(),
        BenchFuzzRecords.DECISION_KINDS,
        records,
        (kind, i) -> fuzz.decision(kind, m.decision(i)),
        validEvery,
        i ->
            traffic.unobserved(
                Topics.MODEL_DECISIONS.name(), m.decision(i).getCandidateVersion(), m.decision(i)));
    traffic.flush();
  }

  private void announce(Topic<?, ?> topic) {
    System.err.printf("bench fuzz: %d malformed records to %s%n", records, topic.name());
  }

  private static void require(boolean ok, String option, Object value, String rule) {
    if (!ok) {
      throw new IllegalArgumentException(option + ": must be " + rule + ", was " + value);
    }
  }
}
