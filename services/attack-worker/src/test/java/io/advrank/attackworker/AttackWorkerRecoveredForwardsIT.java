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
import java.util.Set;
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
 * recovery scan after a takeover) must keep its place in the delivered topic for the next owner.
 * Query partition 0 gets {@code a0 a1 b1..b4 a2 c1..c4} ({@code a} attacked, {@code b}, {@code c}
 * benign); the benign ones are forwarded at once. The worker under test recognises {@code b1..b4}
 * and {@code c1..c4} as already forwarded, then commits {@code a0, a1}, moving the partition's
 * offset to {@code a2} with {@code c1..c4} beyond it; while {@code a2} waits for its batch, a wave
 * of benign traffic on every partition makes every partition's commit carry this worker's later
 * forward positions; then it dies at {@code a2}'s commit, and its successor must find {@code
 * c1..c4} already delivered. Before the fix the ledger forgot where such a forward had landed, the
 * commits pointed past {@code c1..c4}, and the successor delivered them again: the fault run's
 * duplicated benign queries (docs/cluster.md), whose partitions changed hands twice.
 *
 * <p>Both tests share a broker and the group; each sends its own events and counts only those.
 */
class AttackWorkerRecoveredForwardsIT {
  private static final String CAMPAIGN = "QA+ eps=0.1 m=1 fraction=0.5";
  private static final int CATALOG = 100;
  private static final Duration WAIT = Duration.ofSeconds(60);

  /** {@code a2} waits this long alone for its batch (of 2): the window for the wave's commits. */
  private static final Duration HOLD = Duration.ofSeconds(10);

  private static final TopicPartition Q0 = new TopicPartition(Topics.QUERIES.name(), 0);

  private static EmbeddedKafka kafka;
  private static EmbeddingModel model;
  private static List<ImageEvent> attacked;
  private static List<ImageEvent> benign;
  private static volatile String lastCheck = "";

  /** A transactional producer whose commits the test scripts: fail, let one through, or crash. */
  static final class ScriptedProducer extends KafkaProducer<byte[], byte[]> {
    enum Mode {
      FAIL,
      ONE_THROUGH,
      CRASH
    }

    volatile Mode mode;
    final AtomicInteger failed = new AtomicInteger();
    final AtomicInteger committed = new AtomicInteger();

    ScriptedProducer(Properties p, Mode mode) {
      super(p);
      this.mode = mode;
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

  /** One test's events: partition 0's sequence, two benign queries per other partition, a wave. */
  private record Traffic(
      int n, List<ImageEvent> partition0, List<ImageEvent> others, List<ImageEvent> wave) {
    static Traffic slice(int n) {
      List<ImageEvent> p0 = new ArrayList<>(attacked.subList(3 * n, 3 * n + 2));
      List<ImageEvent> b = benign.subList(20 * n, 20 * n + 20);
      p0.addAll(b.subList(0, 4));
      p0.add(attacked.get(3 * n + 2)); // a2
      p0.addAll(b.subList(4, 8));
      return new Traffic(n, p0, b.subList(8, 14), b.subList(14, 20));
    }

    List<ImageEvent> all() {
      List<ImageEvent> out = new ArrayList<>(partition0);
      out.addAll(others);
      out.addAll(wave);
      return out;
    }
  }

  @BeforeAll
  static void start() throws Exception {
    kafka = TestKafka.startWithTopics();
    model = EmbeddingModel.load(TestKafka.MODEL, Device.cpu());
    TestKafka.produce(kafka, Topics.CATALOG, TestKafka.catalog(CATALOG));
    Campaign campaign = Campaign.parse(CAMPAIGN, 17);
    attacked = new ArrayList<>();
    benign = new ArrayList<>();
    for (ImageEvent q : TestKafka.queries(CATALOG, 160)) {
      boolean attack = campaign.choose(false, q.getEventId(), q.getItemId()).isPresent();
      (attack ? attacked : benign).add(q);
    }
  }

  @AfterAll
  static void stop() {
    if (model != null) {
      model.close();
    }
    kafka.close();
  }

  @Test
  void aForwardReadAgainAfterARewindKeepsItsPlaceForTheNextOwner() throws Exception {
    AttackWorkerSettings settings = TestKafka.settings(kafka, "rewound-worker", CAMPAIGN, 2, HOLD);
    Traffic traffic = Traffic.slice(0);
    long a2 = send(traffic);
    var scripted =
        new ScriptedProducer(AttackWorkerClients.producer(settings), ScriptedProducer.Mode.FAIL);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (AttackWorkerService first = TestKafka.worker(settings, model, scripted, registry)) {
      first.start();
      // The batch a0, a1 fails and is redone: b1..b4 and c1..c4 are read again and skipped.
      await(
          () -> scripted.failed.get() >= 1 && recovered(registry) >= 8,
          "the worker rewound and skipped the forwards it had made");
      scripted.mode = ScriptedProducer.Mode.ONE_THROUGH; // then CRASH: a2's commit kills it
      commitThenDieWithTheWaveCommitted(first, scripted, settings, traffic, a2);
    }
    deliveredOnceBySuccessor(settings, traffic);
  }

  @Test
  void aForwardFoundByTheRecoveryScanKeepsItsPlaceForTheNextOwner() throws Exception {
    AttackWorkerSettings settings = TestKafka.settings(kafka, "scanned-worker", CAMPAIGN, 2, HOLD);
    Traffic traffic = Traffic.slice(1);
    long a2 = send(traffic);
    // A first owner forwards b1..b4 and c1..c4 and dies without committing past a0.
    var dying =
        new ScriptedProducer(AttackWorkerClients.producer(settings), ScriptedProducer.Mode.FAIL);
    SimpleMeterRegistry firstRegistry = new SimpleMeterRegistry();
    try (AttackWorkerService first = TestKafka.worker(settings, model, dying, firstRegistry)) {
      first.start();
      await(
          () -> dying.failed.get() >= 1 && recovered(firstRegistry) >= 8,
          "the first owner forwarded b1..b4 and c1..c4");
      dying.mode = ScriptedProducer.Mode.CRASH;
      await(() -> first.failure().isPresent(), "the first owner died");
    }
    // The second owner finds them with its recovery scan, commits a0, a1, and dies at a2.
    var scripted =
        new ScriptedProducer(
            AttackWorkerClients.producer(settings), ScriptedProducer.Mode.ONE_THROUGH);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (AttackWorkerService second = TestKafka.worker(settings, model, scripted, registry)) {
      second.start();
      commitThenDieWithTheWaveCommitted(second, scripted, settings, traffic, a2);
      assertTrue(recovered(registry) >= 4, "the second owner's scan found the forwards");
    }
    deliveredOnceBySuccessor(settings, traffic);
  }

  /** Sends the traffic but the wave; returns a2's offset in partition 0. */
  private static long send(Traffic traffic) throws Exception {
    long base = endOffset(Q0);
    try (KafkaProducer<byte[], byte[]> p = TestKafka.bytesProducer(kafka)) {
      sendTo(p, Topics.QUERIES, 0, traffic.partition0());
      for (int partition = 1; partition < 4; partition++) {
        int i = 2 * (partition - 1);
        sendTo(p, Topics.QUERIES, partition, traffic.others().subList(i, i + 2));
      }
    }
    return base + 6;
  }

  /**
   * Lets the batch a0, a1 commit, then sends the wave (a query to every query partition, a new item
   * to every catalog partition) while a2 waits, and waits for the worker to die at a2's commit;
   * checks that every partition's last commit is this worker's, after the wave.
   */
  private static void commitThenDieWithTheWaveCommitted(
      AttackWorkerService worker,
      ScriptedProducer scripted,
      AttackWorkerSettings settings,
      Traffic traffic,
      long a2)
      throws Exception {
    await(() -> scripted.committed.get() == 1, "a0 and a1 committed");
    List<ImageEvent> wave = traffic.wave(); // partitions 1..3 one query each, partition 0 three
    List<ImageEvent> items = TestKafka.catalog(CATALOG + 4 * traffic.n() + 4);
    try (KafkaProducer<byte[], byte[]> p = TestKafka.bytesProducer(kafka)) {
      sendTo(p, Topics.QUERIES, 0, wave.subList(3, 6));
      for (int partition = 1; partition < 4; partition++) {
        sendTo(p, Topics.QUERIES, partition, wave.subList(partition - 1, partition));
      }
      for (int partition = 0; partition < 4; partition++) {
        int item = CATALOG + 4 * traffic.n() + partition; // new items, distinct per test
        sendTo(p, Topics.CATALOG, partition, items.subList(item, item + 1));
      }
    }
    await(() -> worker.failure().isPresent(), "the worker died at a2's commit");
    assertTrue(
        everyPartitionCommittedBut(settings.groupId(), Q0, a2),
        () -> "precondition: the wave was committed before a2's batch (" + lastCheck + ")");
  }

  private static void deliveredOnceBySuccessor(AttackWorkerSettings dead, Traffic traffic)
      throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AttackWorkerSettings successor = TestKafka.settings(kafka, dead.workerId(), CAMPAIGN, 2);
    try (AttackWorkerService worker = TestKafka.readyWorker(successor, model, registry)) {
      Set<String> ids =
          traffic.all().stream().map(ImageEvent::getEventId).collect(Collectors.toSet());
      Map<String, Long> delivered = deliveredQueries(ids);
      assertEquals(ids, delivered.keySet(), "every query delivered");
      Map<String, Long> twice = new TreeMap<>();
      delivered.forEach(
          (id, n) -> {
            if (n > 1) {
              twice.put(id, n);
            }
          });
      assertEquals(Map.of(), twice, "queries delivered more than once");
      assertTrue(worker.failure().isEmpty(), () -> "successor failed: " + worker.failure());
      assertTrue(recovered(registry) > 0, "the successor skipped forwards already made");
      System.out.printf(
          "recovered-forwards IT (%s): %d queries delivered once each; the successor skipped %.0f%n",
          dead.workerId(), ids.size(), recovered(registry));
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

  /** How often each of {@code ids} was delivered (read_committed), once all have been. */
  private static Map<String, Long> deliveredQueries(Set<String> ids) {
    return TestKafka.values(
            Topics.QUERIES_DELIVERED,
            TestKafka.read(
                kafka, Topics.QUERIES_DELIVERED.name(), true, r -> ids(r).containsAll(ids), WAIT))
        .stream()
        .map(ImageEvent::getEventId)
        .filter(ids::contains)
        .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
  }

  private static Set<String> ids(
      List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> records) {
    return TestKafka.values(Topics.QUERIES_DELIVERED, records).stream()
        .map(ImageEvent::getEventId)
        .collect(Collectors.toSet());
  }

  private static long endOffset(TopicPartition tp) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset();
    }
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
