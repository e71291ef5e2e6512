package io.advrank.defensetrainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelSpec;
import io.advrank.proto.v1.AdversarialVariant;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ImageKind;
import io.advrank.proto.v1.ModelDecision;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.model.AssembledModel;
import io.advrank.runtime.model.ModelFeed;
import io.advrank.runtime.model.ModelUpdate;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.PixelCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The Kafka shell with Kafka's mock clients and {@code advrank.models} as plain values: records in,
 * a dead letter for a bad one, a published version and its decision out, and a rollback offered by
 * the feed rebased on between two steps.
 */
class TrainerLoopTest {
  private static final TopicPartition CATALOG = new TopicPartition(Topics.CATALOG.name(), 0);
  private static final TopicPartition ADVERSARIAL =
      new TopicPartition(Topics.ADVERSARIAL.name(), 0);

  /** {@code advrank.models} without a broker: starts from v1, keeps what is published. */
  private static final class Models implements ModelChannel {
    final AssembledModel start;
    final List<AssembledModel> published = new CopyOnWriteArrayList<>();
    final List<String> served = new CopyOnWriteArrayList<>();
    final AtomicReference<ModelFeed.Listener<EmbeddingModel>> listener = new AtomicReference<>();

    Models() throws Exception {
      start = Versions.fromDirectory(DefenseTrainerIT.MODEL);
    }

    @Override
    public AssembledModel startingVersion() {
      return start;
    }

    @Override
    public Following follow(
        ModelSpec spec, AssembledModel parent, ModelFeed.Listener<EmbeddingModel> l) {
      listener.set(l);
      return new Following() {
        @Override
        public void served(ModelUpdate update) {
          served.add(update.version());
        }

        @Override
        public void close() {}
      };
    }

    @Override
    public void publish(AssembledModel version) {
      published.add(version);
    }
  }

  private static ConsumerRecord<byte[], byte[]> record(
      TopicPartition tp, long offset, String key, byte[] value) {
    return new ConsumerRecord<>(tp.topic(), tp.partition(), offset, key.getBytes(), value);
  }

  private static void await(BooleanSupplier done, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (!done.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      Thread.sleep(20);
    }
  }

  @Test
  void ingestsDeadLettersPublishesDecidesAndRebasesOnARollback() throws Exception {
    ImageDataset images = TrainerFixture.images(200);
    MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    consumer.updateBeginningOffsets(Map.of(CATALOG, 0L, ADVERSARIAL, 0L));
    consumer.schedulePollTask(
        () -> {
          consumer.rebalance(List.of(CATALOG, ADVERSARIAL));
          for (int i = 0; i < images.size(); i++) {
            ImageEvent e =
                ImageEvent.newBuilder()
                    .setEventId("e-" + i)
                    .setKind(ImageKind.IMAGE_KIND_CATALOG_ITEM)
                    .setItemId("item-" + i)
                    .setLabel(images.label(i))
                    .setPixels(PixelCodec.fromFloats(1, 28, 28, images.image(i)))
                    .build();
            byte[] value = Topics.CATALOG.valueSerde().serializer().serialize("t", e);
            consumer.addRecord(record(CATALOG, i, e.getItemId(), value));
          }
          consumer.addRecord(record(CATALOG, images.size(), "bad", new byte[] {(byte) 0xff, 1}));
        });
    // At the next poll, once item-1's label is known: item-1 is trained on (its id does not hash to
    // 0 mod 4), so its variant is too.
    consumer.schedulePollTask(
        () -> {
          AdversarialVariant v =
              AdversarialVariant.newBuilder()
                  .setItemId("item-1")
                  .setPerturbed(PixelCodec.fromFloats(1, 28, 28, images.image(1)))
                  .build();
          byte[] value = Topics.ADVERSARIAL.valueSerde().serializer().serialize("t", v);
          consumer.addRecord(record(ADVERSARIAL, 0, "item-1", value));
        });
    MockProducer<byte[], byte[]> producer =
        new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Models models = new Models();
    List<String> onPublished = new CopyOnWriteArrayList<>();
    AtomicReference<Throwable> fatal = new AtomicReference<>();
    TrainerLoop loop =
        new TrainerLoop(
            consumer,
            producer,
            new DeadLetters(producer, "defense-trainer", registry),
            models,
            TrainerFixture.settings(
                Map.of("gate.max.recall.drop", "1", "gate.min.robustness.gain", "-100")),
            Clock.systemUTC(),
            new DefenseTrainerMetrics(registry),
            onPublished::add,
            fatal::set);
    Thread thread = new Thread(loop, "trainer-loop-test");
    thread.start();
    try {
      await(() -> !decisions(producer).isEmpty(), "a decision");
      ModelDecision first = decisions(producer).get(0);
      assertTrue(first.getPublished(), first.getReason());
      assertEquals("fmnist-c2f1-v1", first.getParentVersion());
      assertEquals(first.getCandidateVersion(), models.published.get(0).version());
      assertEquals(first.getCandidateVersion(), onPublished.get(0));

      List<ProducerRecord<byte[], byte[]>> letters = sent(producer, Topics.DEAD_LETTER.name());
      assertEquals(1, letters.size(), "only the unparsable record");
      assertEquals("malformed", DeadLetters.header(letters.get(0).headers(), DeadLetters.REASON));
      assertEquals(
          Integer.toString(images.size()),
          DeadLetters.header(letters.get(0).headers(), DeadLetters.SOURCE_OFFSET));
      assertEquals(1, registry.get("advrank.defense.variants").counter().count());

      // The feed hands the trainer a rollback to v1: it is rebased on between two steps.
      models
          .listener
          .get()
          .accept(
              Versions.open(models.start, Device.cpu()),
              new ModelUpdate(models.start, true, System.currentTimeMillis(), true));
      await(() -> models.served.contains("fmnist-c2f1-v1"), "the rollback taken");
      // Every candidate passes this gate, so without the rebase each decision's parent would be
      // the version published before it, never v1 again.
      await(
          () ->
              decisions(producer).stream()
                  .skip(1)
                  .anyMatch(d -> d.getParentVersion().equals("fmnist-c2f1-v1")),
          "a candidate of v1 after the rollback");
      assertNull(fatal.get());
    } finally {
      loop.stop();
      thread.join(Duration.ofMinutes(2).toMillis());
    }
    assertTrue(consumer.closed(), "the loop closes its consumer");
    assertNull(fatal.get(), () -> fatal.get().toString());
  }

  private static List<ProducerRecord<byte[], byte[]>> sent(
      MockProducer<byte[], byte[]> producer, String topic) {
    return producer.history().stream().filter(r -> r.topic().equals(topic)).toList();
  }

  private static List<ModelDecision> decisions(MockProducer<byte[], byte[]> producer) {
    String topic = Topics.MODEL_DECISIONS.name();
    return sent(producer, topic).stream()
        .map(r -> Topics.MODEL_DECISIONS.valueSerde().deserializer().deserialize(topic, r.value()))
        .toList();
  }
}
