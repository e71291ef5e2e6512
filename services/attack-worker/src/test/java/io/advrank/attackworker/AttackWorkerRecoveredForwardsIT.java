package io.advrank.attackworker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.embedded.EmbeddedKafka;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.runtime.topic.Topic;
import io.advrank.runtime.topic.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A forward the worker recognises as already made (read again after a rewind, or found by the
 * recovery scan) must keep its place in the delivered topic for the next owner. Query partition 0
 * holds {@code a0 a1 b1..b4 a2 c1..c4} ({@code a} attacked, {@code b}, {@code c} benign). The
 * worker forwards the benign ones at once; the transaction of {@code a0, a1} fails (a transient
 * error: abort, rewind, the forwards are read again and skipped), then commits, moving the
 * partition's offset to {@code a2} while {@code c1..c4} were forwarded beyond it. While {@code a2}
 * waits for its batch, a wave of benign traffic on every partition makes every partition's commit
 * carry the worker's later forward positions; then the worker dies at {@code a2}'s commit, and its
 * successor must find {@code c1..c4} already delivered. Before the fix the ledger forgot where a
 * re-read forward had landed, the commits pointed past {@code c1..c4}, and the successor delivered
 * them again: the fault run's duplicated benign queries, where the recovery scan after a takeover
 * (not a rewind) found the forwards again and the next takeover delivered them a second time.
 */
class AttackWorkerRecoveredForwardsIT {
  private static final String CAMPAIGN = "QA+ eps=0.1 m=1 fraction=0.5";
  private static final int CATALOG = 100;
  private static final Duration WAIT = Duration.ofSeconds(60);

  /** {@code a2} waits this long alone for its batch (of 2): the window for the wave's commits. */
  private static final Duration HOLD = Duration.ofSeconds(10);

  private static EmbeddedKafka kafka;
  private static EmbeddingModel model;
  private static volatile String lastCheck = "";

  /** A transactional producer whose commits the test scripts: fail, let one through, or crash. */
  static final class ScriptedProducer extends KafkaProducer<byte[], byte[]> {
    enum Mode {
      FAIL,
      ONE_THROUGH,
      CRASH
    }

    volatile Mode mode = Mode.FAIL;
    final AtomicInteger failed = new AtomicInteger();
    final AtomicInteger committed = new AtomicInteger();

    ScriptedProducer(Properties p) {
      super(p);
    }

    @Override
    public void commitTransaction() {
      switch (mode) {
        case FAIL -> {
          failed.incrementAndGet();
          // A transient error: the transaction stays open, the worker aborts it and rewinds.
          throw new KafkaException("simulated transient commit failure");
        }
        case ONE_THROUGH -> {
          super.commitTransaction();
          committed.incrementAndGet();
          mode = Mode.CRASH;
        }
        case CRASH -> {
          flush();
          close(Duration.ZERO); // as a killed process: no EndTxn, no offset commit
          throw new KafkaException("simulated crash before commit");
        }
      }
    }
  }

  @BeforeAll
  static void start() throws Exception {
    kafka = TestKafka.startWithTopics();
    model = EmbeddingModel.load(TestKafka.MODEL, Device.cpu());
  }

  @AfterAll
  static void stop() {
    if (model != null) {
      model.close();
    }
    kafka.close();
  }

  @Test
  void aForwardReadAgainKeepsItsPlaceSoTheNextOwnerDoesNotDeliverItTwice() throws Exception {
    AttackWorkerSettings settings =
        TestKafka.settings(kafka, "recovered-worker", CAMPAIGN, 2, HOLD);
    Campaign campaign = settings.campaign();
    TestKafka.produce(kafka, Topics.CATALOG, TestKafka.catalog(CATALOG));
    List<ImageEvent> attacked = new ArrayList<>();
    List<ImageEvent> benign = new ArrayList<>();
    for (ImageEvent q : TestKafka.queries(CATALOG, 120)) {
      boolean attack = campaign.choose(false, q.getEventId(), q.getItemId()).isPresent();
      (attack ? attacked : benign).add(q);
    }
    List<ImageEvent> partition0 = new ArrayList<>(attacked.subList(0, 2));
    partition0.addAll(benign.subList(0, 4));
    partition0.add(attacked.get(2)); // a2, at offset 6
    partition0.addAll(benign.subList(4, 8));
    List<ImageEvent> sent = new ArrayList<>(partition0);
    try (KafkaProducer<byte[], byte[]> p = TestKafka.bytesProducer(kafka)) {
      sendTo(p, Topics.QUERIES, 0, partition0);
      for (int partition = 1; partition < 4; partition++) {
        List<ImageEvent> two = benign.subList(6 + 2 * partition, 8 + 2 * partition);
        sendTo(p, Topics.QUERIES, partition, two);
        sent.addAll(two);
      }
    }
    TopicPartition q0 = new TopicPartition(Topics.QUERIES.name(), 0);
    long a2 = 6;

    var scripted = new ScriptedProducer(AttackWorkerClients.producer(settings));
    SimpleMeterRegistry firstRegistry = new SimpleMeterRegistry();
    try (AttackWorkerService first = TestKafka.worker(settings, model, scripted, firstRegistry)) {
      first.start();
      // The batch a0, a1 fails and is redone: b1..b4 and c1..c4 are read again and skipped.
      await(
          () -> scripted.failed.get() >= 1 && recovered(firstRegistry) >= 8,
          "the first worker rewound and skipped the forwards it had made");
      scripted.mode = ScriptedProducer.Mode.ONE_THROUGH; // then CRASH: a2's commit kills it
      await(() -> scripted.committed.get() == 1, "a0 and a1 committed");
      List<ImageEvent> wave = benign.subList(20, 28);
      List<ImageEvent> newItems = TestKafka.catalog(CATALOG + 4).subList(CATALOG, CATALOG + 4);
      try (KafkaProducer<byte[], byte[]> p = TestKafka.bytesProducer(kafka)) {
        for (int partition = 0; partition < 4; partition++) {
          sendTo(p, Topics.QUERIES, partition, wave.subList(2 * partition, 2 * partition + 2));
          sendTo(p, Topics.CATALOG, partition, newItems.subList(partition, partition + 1));
        }
      }
      sent.addAll(wave);
      await(() -> first.failure().isPresent(), "the first worker died at a2's commit");
    }
    // The scenario's precondition: every partition's last commit came after the rewind.
    assertTrue(
        everyPartitionCommittedBut(settings.groupId(), q0, a2),
        () -> "precondition: the wave was committed before a2's batch (" + lastCheck + ")");

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AttackWorkerSettings successor = TestKafka.settings(kafka, "recovered-worker", CAMPAIGN, 2);
    try (AttackWorkerService second = TestKafka.readyWorker(successor, model, registry)) {
      Map<String, Long> delivered = deliveredQueries(sent.size());
      Map<String, Long> expected =
          sent.stream().collect(Collectors.toMap(ImageEvent::getEventId, e -> 1L));
      assertEquals(expected.keySet(), delivered.keySet(), "every query delivered");
      Map<String, Long> twice = new TreeMap<>();
      delivered.forEach(
          (id, n) -> {
            if (n > 1) {
              twice.put(id, n);
            }
          });
      assertEquals(Map.of(), twice, "queries delivered more than once");
      assertTrue(second.failure().isEmpty(), () -> "second worker failed: " + second.failure());
      assertTrue(recovered(registry) > 0, "the successor skipped forwards already made");
      System.out.printf(
          "recovered-forwards IT: %d queries delivered once each; the successor skipped %.0f%n",
          sent.size(), recovered(registry));
    }
  }

  private static void sendTo(
      KafkaProducer<byte[], byte[]> p,
      Topic<String, ImageEvent> topic,
      int partition,
      List<ImageEvent> events) {
    for (ImageEvent e : events) {
      var headers = new RecordHeaders();
      byte[] value = topic.valueSerde().serializer().serialize(topic.name(), headers, e);
      p.send(
          new ProducerRecord<>(
              topic.name(), partition, null, e.getItemId().getBytes(), value, headers));
    }
    p.flush();
  }

  private static double recovered(SimpleMeterRegistry registry) {
    var c = registry.find("advrank.worker.forwards.recovered").counter();
    return c == null ? 0 : c.count();
  }

  /**
   * Whether the group committed every input partition to its end, except {@code stuck} at {@code
   * at}.
   */
  private static boolean everyPartitionCommittedBut(String group, TopicPartition stuck, long at) {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (String topic : List.of(Topics.CATALOG.name(), Topics.QUERIES.name())) {
        for (int i = 0; i < 4; i++) {
          latest.put(new TopicPartition(topic, i), OffsetSpec.latest());
        }
      }
      var ends = admin.listOffsets(latest).all().get();
      for (TopicPartition tp : latest.keySet()) {
        OffsetAndMetadata c = committed.get(tp);
        long want = tp.equals(stuck) ? at : ends.get(tp).offset();
        if (c == null || c.offset() != want) {
          lastCheck = tp + " committed " + (c == null ? "nothing" : c.offset()) + ", want " + want;
          return false;
        }
      }
      lastCheck = "all " + latest.size() + " as expected";
      return true;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Long> deliveredQueries(int n) {
    return TestKafka.values(
            Topics.QUERIES_DELIVERED,
            TestKafka.read(kafka, Topics.QUERIES_DELIVERED.name(), true, r -> r.size() >= n, WAIT))
        .stream()
        .collect(Collectors.groupingBy(ImageEvent::getEventId, Collectors.counting()));
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "not within " + WAIT.toSeconds() + " s: " + what + " (last check: " + lastCheck + ")");
      }
      Thread.sleep(50);
    }
  }
}
