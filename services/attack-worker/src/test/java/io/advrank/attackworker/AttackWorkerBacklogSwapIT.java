package io.advrank.attackworker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.Device;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.embedded.EmbeddedKafka;
import io.advrank.proto.v1.AdversarialVariant;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.RankShift;
import io.advrank.runtime.model.AssembledModel;
import io.advrank.runtime.model.ModelTopic;
import io.advrank.runtime.model.SwapStages;
import io.advrank.runtime.topic.Topic;
import io.advrank.runtime.topic.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A version published while the attack-worker works off a backlog is switched to between two
 * micro-batches of that backlog, not once it has run out (guards the fix of commit a66eb59).
 *
 * <p>While PGD runs the worker reads ahead up to max(256, 4 × batch.max) events, so under a backlog
 * a full batch is always waiting. A loop that ran batches for as long as one was waiting never came
 * back to {@link io.advrank.serving.CatalogMirror#poll}, where versions switch, and attacked the
 * whole backlog with the old version. Here at least {@link #BACKLOG} queries wait unanswered (as a
 * reader of the rank shifts counts them) from before the version is published until it has been
 * loaded and handed to the worker; then producing stops and the backlog drains. Read with
 * read_committed:
 *
 * <ul>
 *   <li>the new version answers at least two full batches of the backlog; with the old loop only
 *       its last, partial batch (fewer than batch.max queries) could have been;
 *   <li>the switch is one cut: in every partition of the queries and of the rank shifts, no event
 *       answered with the old version comes after one answered with the new (the batch in flight
 *       finishes on the version it started with, and no later batch goes back);
 *   <li>every query gets exactly one rank shift, one variant and one delivered record, none lost,
 *       none twice; shifts, variants and the metrics name the version that produced them.
 * </ul>
 */
class AttackWorkerBacklogSwapIT {
  private static final Logger LOG = LoggerFactory.getLogger(AttackWorkerBacklogSwapIT.class);
  private static final int CATALOG = 100;
  private static final int BATCH = 4;

  /** Unanswered queries kept waiting until the worker holds the new version: 16 batches. */
  private static final int BACKLOG = 16 * BATCH;

  /** The fixture's test split has 1000 images; the first {@link #CATALOG} are the catalog. */
  private static final int QUERIES = 1000 - CATALOG;

  private static final String OLD = "fmnist-c2f1-v1";
  private static final String NEW = "it-v2";
  private static final String SERVICE = "attack-worker";
  private static final Duration TIMEOUT = Duration.ofSeconds(90);

  @TempDir Path temp;

  @Test
  void switchesVersionBetweenBatchesOfABacklogAndAnswersEveryQueryOnce() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AssembledModel v2 = TestKafka.version(temp.resolve(NEW), NEW);
    try (EmbeddedKafka kafka = TestKafka.startWithTopics();
        EmbeddingModel v1 = EmbeddingModel.load(TestKafka.MODEL, Device.cpu())) {
      AttackWorkerSettings settings =
          TestKafka.settings(kafka, "it-backlog", "SP-QA+ eps=0.03 m=1 fraction=1", BATCH);
      TestKafka.produce(kafka, Topics.CATALOG, TestKafka.catalog(CATALOG));
      try (AttackWorkerService worker = TestKafka.readyWorker(settings, v1, registry)) {
        int sent = keepBacklogUntilHandedOver(kafka, registry, v2);

        List<ConsumerRecord<byte[], byte[]>> shifts = readAll(kafka, Topics.RANK_SHIFTS, sent);
        Map<String, String> versionOf = versionByQuery(shifts, sent);
        long byNew = versionOf.values().stream().filter(NEW::equals).count();
        long byOld = versionOf.values().stream().filter(OLD::equals).count();
        LOG.info("{} queries answered: {} with {}, {} with {}", sent, byOld, OLD, byNew, NEW);
        assertEquals(
            sent, byNew + byOld, () -> "versions named: " + Set.copyOf(versionOf.values()));
        assertTrue(byOld > 0, "the backlog was being answered before the version was published");
        assertTrue(
            byNew >= 2 * BATCH,
            () ->
                String.format(
                    "the worker switched to %s only as the backlog ran out: %d of %d queries"
                        + " answered with it, though the test kept %d waiting until it was"
                        + " handed over",
                    NEW, byNew, sent, BACKLOG));
        assertOneCut(shifts, r -> value(Topics.RANK_SHIFTS, r).getModelVersion());
        assertOneCut(
            readAll(kafka, Topics.QUERIES, sent),
            r -> versionOf.get(value(Topics.QUERIES, r).getEventId()));

        assertVariantsAndDeliveries(kafka, versionOf);
        assertMetricsCount(registry, Map.of(OLD, byOld, NEW, byNew));
        assertEquals(NEW, worker.modelVersion());
        assertEquals(
            1.0, registry.get("advrank.model.swaps").tag("service", SERVICE).counter().count());
        assertEquals(
            1.0,
            registry
                .get("advrank.model.version.info")
                .tag("service", SERVICE)
                .tag("model_version", NEW)
                .gauge()
                .value());
        assertTrue(worker.failure().isEmpty(), () -> "worker failed: " + worker.failure());
      }
    }
  }

  /**
   * Produces queries so that at least {@link #BACKLOG} are unanswered (as far as a read_committed
   * reader of the rank shifts can tell, which is never fewer than really are) until the worker has
   * been handed {@code next}; publishes {@code next} once the first query is answered. Returns how
   * many queries were produced.
   */
  private static int keepBacklogUntilHandedOver(
      EmbeddedKafka kafka, MeterRegistry registry, AssembledModel next) throws Exception {
    List<ImageEvent> queries = TestKafka.queries(CATALOG, QUERIES);
    int produced = 0;
    int answered = 0;
    CompletableFuture<Void> published = null;
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    try (KafkaProducer<byte[], byte[]> producer = TestKafka.bytesProducer(kafka);
        KafkaConsumer<byte[], byte[]> shifts = TestKafka.consumer(kafka, true)) {
      shifts.subscribe(List.of(Topics.RANK_SHIFTS.name()));
      while (!loaded(registry)) {
        if (System.nanoTime() > deadline) {
          fail(next.version() + " not loaded within " + TIMEOUT.toSeconds() + " s");
        }
        if (produced - answered < BACKLOG) {
          int more = Math.min(BACKLOG - (produced - answered), queries.size() - produced);
          assertTrue(more > 0, () -> "all " + QUERIES + " fixture queries sent before the swap");
          TestKafka.send(producer, Topics.QUERIES, queries.subList(produced, produced + more));
          producer.flush();
          produced += more;
        }
        answered += shifts.poll(Duration.ofMillis(50)).count();
        if (published == null && answered > 0) {
          // The worker is in the backlog: publish off this thread, which keeps the backlog full.
          published =
              CompletableFuture.runAsync(
                  () -> ModelTopic.publish(kafka.bootstrapServers(), next, TIMEOUT));
        }
      }
    }
    published.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    return produced;
  }

  /**
   * Whether the model feed has loaded a version: it hands it to the worker right after timing the
   * load, and the worker switches at its next return to the gallery.
   */
  private static boolean loaded(MeterRegistry registry) {
    Timer load =
        registry
            .find(SwapStages.METER)
            .tag("service", SERVICE)
            .tag("stage", SwapStages.Stage.LOAD.label())
            .timer();
    return load != null && load.count() > 0;
  }

  /** The version that answered each query, from its one rank shift. */
  private static Map<String, String> versionByQuery(
      List<ConsumerRecord<byte[], byte[]>> shifts, int sent) {
    Map<String, String> versionOf = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : shifts) {
      RankShift s = value(Topics.RANK_SHIFTS, r);
      assertNull(
          versionOf.put(s.getOriginalEventId(), s.getModelVersion()),
          () -> "a second rank shift for " + s.getOriginalEventId());
    }
    assertEquals(queryIds(sent), versionOf.keySet(), "one rank shift per query");
    return versionOf;
  }

  /** One variant per query, by the version of its shift; one delivered record per query. */
  private static void assertVariantsAndDeliveries(
      EmbeddedKafka kafka, Map<String, String> versionOf) {
    int sent = versionOf.size();
    Set<String> varied = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> r : readAll(kafka, Topics.ADVERSARIAL, sent)) {
      AdversarialVariant v = value(Topics.ADVERSARIAL, r);
      assertTrue(varied.add(v.getOriginalEventId()), () -> "a second variant for " + v);
      assertEquals(
          versionOf.get(v.getOriginalEventId()),
          v.getModelVersion(),
          () -> "variant and shift of " + v.getOriginalEventId());
    }
    assertEquals(queryIds(sent), varied, "one variant per query");
    Set<String> delivered = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> r : readAll(kafka, Topics.QUERIES_DELIVERED, sent)) {
      String id = value(Topics.QUERIES_DELIVERED, r).getEventId();
      assertTrue(delivered.add(id), () -> "delivered twice: " + id);
    }
    assertEquals(queryIds(sent), delivered, "one delivered record per query");
  }

  /**
   * In every partition, in offset order, the versions read {@link #OLD}… then {@link #NEW}…: a
   * partition's records reach the worker in order and its outputs leave in batch order.
   */
  private static void assertOneCut(
      List<ConsumerRecord<byte[], byte[]>> records,
      Function<ConsumerRecord<byte[], byte[]>, String> version) {
    Map<Integer, List<ConsumerRecord<byte[], byte[]>>> byPartition =
        records.stream()
            .sorted(Comparator.comparingLong(ConsumerRecord::offset))
            .collect(
                Collectors.groupingBy(
                    ConsumerRecord::partition, TreeMap::new, Collectors.toList()));
    byPartition.forEach(
        (partition, inOrder) -> {
          ConsumerRecord<byte[], byte[]> firstNew = null;
          for (ConsumerRecord<byte[], byte[]> r : inOrder) {
            String v = version.apply(r);
            if (NEW.equals(v) && firstNew == null) {
              firstNew = r;
            } else if (OLD.equals(v) && firstNew != null) {
              fail(
                  String.format(
                      "%s-%d: offset %d answered with %s after offset %d with %s",
                      r.topic(), partition, r.offset(), OLD, firstNew.offset(), NEW));
            }
          }
        });
  }

  /**
   * The rank-percentile and attack counts per version agree with the rank shifts; the meters are
   * updated just after a batch commits, so they may trail the topic by a moment.
   */
  private static void assertMetricsCount(MeterRegistry registry, Map<String, Long> expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    Map<String, Long> percentiles = Map.of();
    Map<String, Long> attacks = Map.of();
    while (System.nanoTime() < deadline) {
      percentiles = perVersion(expected, v -> percentileCount(registry, v));
      attacks = perVersion(expected, v -> attackCount(registry, v));
      if (percentiles.equals(expected) && attacks.equals(expected)) {
        return;
      }
      Thread.sleep(20);
    }
    assertEquals(expected, percentiles, "advrank_rank_percentile_after count by model_version");
    assertEquals(expected, attacks, "advrank_attacks_total by model_version");
  }

  private static Map<String, Long> perVersion(
      Map<String, Long> expected, Function<String, Long> count) {
    return expected.keySet().stream().collect(Collectors.toMap(v -> v, count));
  }

  private static long percentileCount(MeterRegistry registry, String version) {
    return registry
        .find("advrank.rank.percentile.after")
        .tag("model_version", version)
        .summaries()
        .stream()
        .mapToLong(s -> s.count())
        .sum();
  }

  private static long attackCount(MeterRegistry registry, String version) {
    return (long)
        registry.find("advrank.attacks").tag("model_version", version).counters().stream()
            .mapToDouble(Counter::count)
            .sum();
  }

  private static List<ConsumerRecord<byte[], byte[]>> readAll(
      EmbeddedKafka kafka, Topic<String, ?> topic, int n) {
    return TestKafka.read(kafka, topic.name(), true, r -> r.size() >= n, TIMEOUT);
  }

  private static <V> V value(Topic<String, V> topic, ConsumerRecord<byte[], byte[]> r) {
    return topic.valueSerde().deserializer().deserialize(topic.name(), r.value());
  }

  private static Set<String> queryIds(int n) {
    return IntStream.range(0, n).mapToObj(j -> "qe-" + j).collect(Collectors.toSet());
  }
}
