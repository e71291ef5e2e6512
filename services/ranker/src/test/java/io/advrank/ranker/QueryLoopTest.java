package io.advrank.ranker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelSpec;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ImageKind;
import io.advrank.proto.v1.RankingResult;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.model.SwapStages;
import io.advrank.runtime.settings.SettingsSource;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.PixelCodec;
import io.advrank.serving.CatalogItem;
import io.advrank.serving.CatalogMirror;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The query loop with its clients passed in: a {@link MockConsumer} of delivered queries, a
 * transactional {@link MockProducer}, a tiny C2F1 and a three-item catalog. No broker.
 */
class QueryLoopTest {
  private static final ModelSpec SPEC = ModelSpec.c2f1(1, 4, 4);
  private static final String QUERIES = Topics.QUERIES_DELIVERED.name();
  private static final TopicPartition PARTITION = new TopicPartition(QUERIES, 0);

  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
  private final AtomicInteger aborts = new AtomicInteger();
  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
        @Override
        public void abortTransaction() {
          aborts.incrementAndGet();
          sendOffsetsToTransactionException = null; // transient: the next attempt goes through
          super.abortTransaction();
        }
      };
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Test
  void answersEachQueryAndDeadLettersGarbageInOneTransactionWithTheOffsets() throws Exception {
    consumer.schedulePollTask(
        () -> {
          assign();
          consumer.addRecord(query(0, "q-1"));
          consumer.addRecord(new ConsumerRecord<>(QUERIES, 0, 1L, key("q-2"), new byte[] {7, 7}));
          consumer.addRecord(query(2, "q-3"));
        });

    List<ProducerRecord<byte[], byte[]>> sent = runUntil(() -> committedOffset() == 3);

    assertEquals(List.of("q-1", "q-3"), rankedQueries(sent));
    assertEquals(1, deadLetters(sent).size());
    assertEquals(
        "malformed", DeadLetters.header(deadLetters(sent).get(0).headers(), "advrank.dlq.reason"));
    assertEquals(1, producer.commitCount(), "one batch, one transaction");
    assertEquals(0, aborts.get());
    assertEquals(2.0, registry.get("advrank.rankings").counter().count());
  }

  @Test
  void aTransientErrorAbortsTheBatchAndAnswersItAgainFromItsFirstRecord() throws Exception {
    producer.sendOffsetsToTransactionException = new KafkaException("coordinator moved");
    batchWait = "PT0S"; // the batch is flushed right after the poll that read it
    consumer.schedulePollTask(
        () -> {
          assign();
          consumer.addRecord(query(0, "q-1"));
          consumer.addRecord(query(1, "q-2"));
        });
    // After the abort the loop seeks back to offset 0 and reads the batch again (the mock keeps
    // no records once returned: add them again at their offsets).
    consumer.schedulePollTask(
        () -> {
          consumer.addRecord(query(0, "q-1"));
          consumer.addRecord(query(1, "q-2"));
        });

    List<ProducerRecord<byte[], byte[]>> sent = runUntil(() -> committedOffset() == 2);

    assertEquals(1, aborts.get(), "the first attempt was aborted");
    assertEquals(1, producer.commitCount());
    assertEquals(List.of("q-1", "q-2"), rankedQueries(sent), "only the committed answers count");
    assertEquals(2.0, registry.get("advrank.rankings").counter().count(), "tallied once");
  }

  /** Runs the loop until {@code done}, then stops it; returns what committed transactions sent. */
  private List<ProducerRecord<byte[], byte[]>> runUntil(BooleanSupplier done) throws Exception {
    AtomicReference<Throwable> fatal = new AtomicReference<>();
    try (EmbeddingModel model = EmbeddingModel.create(SPEC, 0, Device.cpu());
        CatalogMirror catalog = catalog(model)) {
      assertTrue(catalog.loadInitial(() -> true));
      CountDownLatch ready = new CountDownLatch(1);
      ready.countDown();
      QueryLoop loop =
          new QueryLoop(
              consumer,
              producer,
              model,
              catalog,
              new DeadLetters(producer, "ranker", registry),
              settings(),
              Clock.systemUTC(),
              new RankerMetrics(registry),
              ready,
              fatal::set);
      Thread thread = new Thread(loop, "query-loop-test");
      thread.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!done.getAsBoolean() && fatal.get() == null && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      loop.stop();
      thread.join(10_000);
    }
    assertEquals(null, fatal.get());
    assertTrue(done.getAsBoolean(), "timed out");
    return producer.history();
  }

  private void assign() {
    consumer.rebalance(List.of(PARTITION));
    consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
    consumer.seek(PARTITION, 0L);
  }

  private long committedOffset() {
    List<Map<String, Map<TopicPartition, OffsetAndMetadata>>> history =
        producer.consumerGroupOffsetsHistory();
    return history.stream()
        .flatMap(m -> m.values().stream())
        .map(offsets -> offsets.get(PARTITION))
        .filter(o -> o != null)
        .mapToLong(OffsetAndMetadata::offset)
        .max()
        .orElse(-1);
  }

  private static List<String> rankedQueries(List<ProducerRecord<byte[], byte[]>> sent)
      throws Exception {
    List<String> ids = new ArrayList<>();
    for (ProducerRecord<byte[], byte[]> r : sent) {
      if (r.topic().equals(Topics.RANKINGS.name())) {
        RankingResult result = RankingResult.parseFrom(r.value());
        assertEquals(3, result.getHitsCount(), "the whole three-item catalog, best first");
        ids.add(result.getQueryId());
      }
    }
    return ids;
  }

  private static List<ProducerRecord<byte[], byte[]>> deadLetters(
      List<ProducerRecord<byte[], byte[]>> sent) {
    return sent.stream().filter(r -> r.topic().equals(Topics.DEAD_LETTER.name())).toList();
  }

  private String batchWait = "PT0.05S";

  private RankerSettings settings() {
    return RankerSettings.from(
        SettingsSource.fromArgs(
            RankerSettings.KEYS,
            new String[] {"--query.batch.max=8", "--query.batch.wait=" + batchWait},
            Map.of()));
  }

  /** A catalog of three items read from a mock compacted topic. */
  private static CatalogMirror catalog(EmbeddingModel model) {
    String topic = Topics.CATALOG_DELIVERED.name();
    TopicPartition p = new TopicPartition(topic, 0);
    MockConsumer<byte[], byte[]> items = new MockConsumer<>("earliest");
    items.updatePartitions(topic, List.of(new PartitionInfo(topic, 0, null, null, null)));
    items.updateBeginningOffsets(Map.of(p, 0L));
    items.updateEndOffsets(Map.of(p, 3L));
    items.schedulePollTask(
        () -> {
          for (int i = 0; i < 3; i++) {
            items.addRecord(
                new ConsumerRecord<>(topic, 0, i, key("item-" + i), new byte[] {(byte) i}));
          }
        });
    return CatalogMirror.builder()
        .setCatalog(items, topic)
        .setModel(model, false)
        .setDecoder(
            r -> {
              float[] pixels = new float[SPEC.imageSize()];
              for (int j = 0; j < pixels.length; j++) {
                pixels[j] = ((j + 1) * (r.value()[0] + 2) % 11) / 10f;
              }
              String id = new String(r.key(), StandardCharsets.UTF_8);
              return new CatalogItem(id, "e-" + id, r.value()[0], pixels);
            })
        .setSwapStages(new SwapStages(new SimpleMeterRegistry(), "ranker"))
        .setClock(Clock.systemUTC())
        .setRebuild(1, Duration.ofSeconds(1))
        .build();
  }

  private static ConsumerRecord<byte[], byte[]> query(long offset, String id) {
    byte[] pixels = new byte[SPEC.imageSize()];
    pixels[(int) offset % pixels.length] = (byte) 200;
    ImageEvent event =
        ImageEvent.newBuilder()
            .setEventId("e-" + id)
            .setKind(ImageKind.IMAGE_KIND_QUERY)
            .setItemId(id)
            .setPixels(PixelCodec.fromUint8(1, 4, 4, pixels))
            .build();
    return new ConsumerRecord<>(QUERIES, 0, offset, key(id), event.toByteArray());
  }

  private static byte[] key(String id) {
    return id.getBytes(StandardCharsets.UTF_8);
  }
}
