package io.advrank.attackworker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.embedded.EmbeddedKafka;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.RankShift;
import io.advrank.runtime.topic.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Exactly once across a crash: a worker dies between producing a batch and committing it (its
 * producer is flushed, then force-closed without commit or abort, as a killed process would leave
 * it), after forwarding benign events outside transactions that no commit covers yet; a new
 * instance with the same transactional id and group takes over and must skip those. A
 * read_committed reader then sees every request delivered once and every attack's rank shift once,
 * although the log holds the dead instance's uncommitted copies.
 */
class AttackWorkerCrashIT {
  private static final int CATALOG = 200;
  private static final int QUERIES = 60;
  private static final int CRASH_AT_COMMIT = 3;
  private static final String CAMPAIGN =
      "CA+ eps=0.1 w=1 fraction=0.2; QA+ eps=0.1 m=1 fraction=0.3";

  private static EmbeddedKafka kafka;
  private static EmbeddingModel model;

  /** Dies at its n-th commit, after its writes reached the broker: the crash under test. */
  static final class CrashingProducer extends KafkaProducer<byte[], byte[]> {
    private final AtomicInteger commits = new AtomicInteger();
    private final int crashAt;

    CrashingProducer(Properties p, int crashAt) {
      super(p);
      this.crashAt = crashAt;
    }

    @Override
    public void commitTransaction() {
      if (commits.incrementAndGet() == crashAt) {
        flush();
        close(Duration.ZERO); // forced: no EndTxn, the transaction stays open on the broker
        throw new KafkaException("simulated crash before commit");
      }
      super.commitTransaction();
    }
  }

  @BeforeAll
  static void start() throws Exception {
    kafka = TestKafka.startWithTopics();
  }

  @AfterAll
  static void stop() {
    if (model != null) {
      model.close();
    }
    kafka.close();
  }

  @Test
  void everyRequestYieldsExactlyOneDeliveryAndOneRankShiftAcrossACrash() throws Exception {
    model = EmbeddingModel.load(TestKafka.MODEL, Device.cpu());
    AttackWorkerSettings settings = TestKafka.settings(kafka, "crash-worker", CAMPAIGN, 8);
    List<ImageEvent> catalog = TestKafka.catalog(CATALOG);
    List<ImageEvent> queries = TestKafka.queries(CATALOG, QUERIES);
    TestKafka.produce(kafka, Topics.CATALOG, catalog);
    TestKafka.produce(kafka, Topics.QUERIES, queries);

    var crashing = new CrashingProducer(AttackWorkerClients.producer(settings), CRASH_AT_COMMIT);
    try (AttackWorkerService first =
        TestKafka.worker(settings, model, crashing, new SimpleMeterRegistry())) {
      first.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (first.failure().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(first.failure().isPresent(), "the first worker crashed");
    }
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (AttackWorkerService second =
        TestKafka.worker(
            settings,
            model,
            new KafkaProducer<>(AttackWorkerClients.producer(settings)),
            registry)) {
      second.start();
      check(settings.campaign(), catalog, queries);
      assertTrue(second.failure().isEmpty(), () -> "second worker failed: " + second.failure());
      // Benign events leave transactions: the dead instance forwarded some after its last commit,
      // and the successor found them (else "none delivered twice" above would have failed).
      double recovered = registry.counter("advrank.worker.forwards.recovered").count();
      assertTrue(recovered > 0, "the successor skipped events already forwarded: " + recovered);
      System.out.printf("crash IT: %.0f forwards found already delivered%n", recovered);
    }
  }

  private static void check(Campaign campaign, List<ImageEvent> catalog, List<ImageEvent> queries) {
    Set<String> attacked =
        Stream.concat(
                catalog.stream()
                    .filter(e -> campaign.choose(true, e.getEventId(), e.getItemId()).isPresent()),
                queries.stream()
                    .filter(e -> campaign.choose(false, e.getEventId(), e.getItemId()).isPresent()))
            .map(ImageEvent::getEventId)
            .collect(Collectors.toSet());
    Map<String, Long> delivered =
        Stream.concat(
                delivered(Topics.CATALOG_DELIVERED.name(), CATALOG).stream(),
                delivered(Topics.QUERIES_DELIVERED.name(), QUERIES).stream())
            .collect(Collectors.groupingBy(ImageEvent::getEventId, Collectors.counting()));
    assertEquals(CATALOG + QUERIES, delivered.size(), "no request lost");
    assertTrue(
        delivered.values().stream().allMatch(n -> n == 1), "none delivered twice: " + delivered);
    List<RankShift> shifts =
        TestKafka.values(
            Topics.RANK_SHIFTS,
            TestKafka.read(
                kafka,
                Topics.RANK_SHIFTS.name(),
                true,
                r -> r.size() >= attacked.size(),
                Duration.ofSeconds(45)));
    Map<String, Long> perEvent =
        shifts.stream()
            .collect(Collectors.groupingBy(RankShift::getOriginalEventId, Collectors.counting()));
    assertEquals(attacked, perEvent.keySet(), "one rank shift per attacked request");
    assertTrue(perEvent.values().stream().allMatch(n -> n == 1), "no duplicate rank shift");
    // The dead instance's writes are in the log, only aborted: a read_uncommitted reader sees more.
    int raw =
        TestKafka.read(kafka, Topics.RANK_SHIFTS.name(), false, r -> false, Duration.ZERO).size()
            + TestKafka.read(
                    kafka, Topics.CATALOG_DELIVERED.name(), false, r -> false, Duration.ZERO)
                .size()
            + TestKafka.read(
                    kafka, Topics.QUERIES_DELIVERED.name(), false, r -> false, Duration.ZERO)
                .size();
    assertTrue(
        raw > CATALOG + QUERIES + attacked.size(), "the crash left uncommitted writes: " + raw);
    System.out.printf(
        "crash IT: %d requests, %d attacked, %d raw records incl. the crashed batch's, exactly once after restart%n",
        CATALOG + QUERIES, attacked.size(), raw);
  }

  private static List<ImageEvent> delivered(String topic, int n) {
    return TestKafka.values(
        Topics.CATALOG_DELIVERED,
        TestKafka.read(kafka, topic, true, r -> r.size() >= n, Duration.ofSeconds(45)));
  }
}
