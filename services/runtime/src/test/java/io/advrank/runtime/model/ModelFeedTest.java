package io.advrank.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.proto.v1.ModelVersion;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.topic.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ModelFeed} on Kafka's mock clients: the history present at start is replayed and only the
 * version chosen at its end is loaded and handed over, once; a record that does not parse and a
 * version the loader refuses each give exactly one dead letter with its reason while the service
 * keeps its model and still takes the next good version; and the feed closes the clients it was
 * given.
 */
class ModelFeedTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final TopicPartition MODELS = new TopicPartition(Topics.MODELS.name(), 0);
  private static final int CHUNK_BYTES = 16; // small chunks: several records per version

  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<String> loaded = new CopyOnWriteArrayList<>();
  private final List<ModelUpdate> handedOver = new CopyOnWriteArrayList<>();
  private long nextOffset;
  private ModelFeed<String> feed;

  @AfterEach
  void close() {
    if (feed != null) {
      feed.close();
    }
  }

  @Test
  void replaysTheHistoryAndHandsOverOnlyTheNewestVersionOnce() throws Exception {
    List<ConsumerRecord<byte[], byte[]>> history = new ArrayList<>();
    history.addAll(chunks(model("v1", 1000)));
    history.addAll(chunks(model("v2", 2000)));
    history.addAll(chunks(model("v0", 500))); // superseded by v2: skipped, not refused
    startFeed(history);

    assertTrue(feed.awaitCaughtUp(TIMEOUT), "caught up");
    assertEquals(List.of("v2"), loaded, "only the version chosen at the end is loaded");
    assertEquals(List.of("v2"), handedOver.stream().map(ModelUpdate::version).toList());
    assertFalse(handedOver.get(0).live(), "replayed, not live");
    assertEquals(List.of(), producer.history(), "no dead letters for superseded history");
    assertNull(versionInfo("initial"), "the initial version's series is removed");
    assertNotNull(versionInfo("v2"));
  }

  @Test
  void deadLettersGarbageAndARefusedVersionOnceEachAndKeepsServing() throws Exception {
    startFeed(chunks(model("v1", 1000)));
    assertTrue(feed.awaitCaughtUp(TIMEOUT), "caught up");
    assertEquals(List.of("v1"), loaded);

    ConsumerRecord<byte[], byte[]> garbage =
        record("x/0".getBytes(StandardCharsets.UTF_8), new byte[] {-1, -1, -1, -1});
    List<ConsumerRecord<byte[], byte[]>> refused = chunks(model("bad-arch", 2000));
    List<ConsumerRecord<byte[], byte[]>> live = new ArrayList<>();
    live.add(garbage);
    live.addAll(refused);
    live.addAll(chunks(model("v3", 3000)));
    consumer.schedulePollTask(() -> live.forEach(consumer::addRecord));
    await(() -> handedOver.size() == 2, "v3 handed over");

    List<ProducerRecord<byte[], byte[]>> letters = producer.history();
    assertEquals(2, letters.size(), "one dead letter per refusal");
    assertLetter(letters.get(0), garbage, "malformed");
    ConsumerRecord<byte[], byte[]> lastChunk = refused.get(refused.size() - 1);
    assertLetter(letters.get(1), lastChunk, "unsupported");
    String message = DeadLetters.header(letters.get(1).headers(), DeadLetters.EXCEPTION_MESSAGE);
    assertTrue(message.startsWith("bad-arch: another architecture"), message);
    assertEquals(1.0, refusedCount("malformed"));
    assertEquals(1.0, refusedCount("incompatible"));
    assertEquals(List.of("v1", "v3"), handedOver.stream().map(ModelUpdate::version).toList());
    assertTrue(handedOver.get(1).live(), "live");
    assertNotNull(versionInfo("v3"));
  }

  @Test
  void closesTheClientsItWasGiven() throws Exception {
    startFeed(List.of());
    assertTrue(feed.awaitCaughtUp(TIMEOUT), "caught up on an empty topic");
    assertEquals(List.of(), handedOver);
    feed.close();
    feed = null;
    assertTrue(consumer.closed(), "consumer closed");
    assertTrue(producer.closed(), "producer closed");
  }

  /** Starts a feed serving {@code initial}; {@code history} is on the topic when it starts. */
  private void startFeed(List<ConsumerRecord<byte[], byte[]>> history) {
    consumer.updateBeginningOffsets(Map.of(MODELS, 0L));
    consumer.updateEndOffsets(Map.of(MODELS, (long) history.size()));
    // records can be added only once the feed has assigned the partition: on its first poll
    consumer.schedulePollTask(() -> history.forEach(consumer::addRecord));
    feed =
        new ModelFeed<>(
            "test",
            new ModelFeed.Clients(consumer, producer),
            "initial",
            0,
            this::load,
            (version, update) -> {
              handedOver.add(update);
              feed.served(update);
            },
            registry,
            Clock.systemUTC());
    feed.start();
  }

  /** The test's loader: refuses versions named {@code bad-*} as another architecture. */
  private String load(AssembledModel model) throws ModelRefusedException {
    if (model.version().startsWith("bad")) {
      throw new ModelRefusedException(Refusal.INCOMPATIBLE, "another architecture");
    }
    loaded.add(model.version());
    return model.version();
  }

  private static AssembledModel model(String version, long createdAt) {
    byte[] w = new byte[CHUNK_BYTES * 2 + 5]; // three chunks
    new Random(createdAt).nextBytes(w);
    return AssembledModel.of(version, "", "{\"version\":\"" + version + "\"}", createdAt, w);
  }

  private List<ConsumerRecord<byte[], byte[]>> chunks(AssembledModel model) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    for (ModelVersion c : ModelChunks.split(model, CHUNK_BYTES)) {
      String key = Topics.modelChunkKey(c.getVersion(), c.getChunkIndex());
      out.add(
          record(
              Topics.MODELS.keySerde().serializer().serialize(MODELS.topic(), key),
              Topics.MODELS.valueSerde().serializer().serialize(MODELS.topic(), c)));
    }
    return out;
  }

  private ConsumerRecord<byte[], byte[]> record(byte[] key, byte[] value) {
    return new ConsumerRecord<>(MODELS.topic(), MODELS.partition(), nextOffset++, key, value);
  }

  private static void assertLetter(
      ProducerRecord<byte[], byte[]> letter, ConsumerRecord<byte[], byte[]> source, String reason) {
    assertEquals(Topics.DEAD_LETTER.name(), letter.topic());
    assertEquals(reason, DeadLetters.header(letter.headers(), DeadLetters.REASON));
    assertEquals(
        Long.toString(source.offset()),
        DeadLetters.header(letter.headers(), DeadLetters.SOURCE_OFFSET));
    assertEquals("test", DeadLetters.header(letter.headers(), DeadLetters.SERVICE));
    assertArrayEquals(source.value(), letter.value(), "original value kept");
  }

  private Object versionInfo(String version) {
    return registry
        .find("advrank.model.version.info")
        .tags("service", "test", "model_version", version)
        .gauge();
  }

  private double refusedCount(String reason) {
    Counter c =
        registry.find("advrank.model.refused").tags("service", "test", "reason", reason).counter();
    return c == null ? 0 : c.count();
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(10);
    }
  }
}
