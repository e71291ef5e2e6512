package io.advrank.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelSpec;
import io.advrank.runtime.kafka.DeadLetters.Reason;
import io.advrank.runtime.model.AssembledModel;
import io.advrank.runtime.model.ModelUpdate;
import io.advrank.runtime.model.SwapStages;
import io.advrank.runtime.wire.RejectedRecordException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The catalog mirror on plain inputs: a mock consumer, a tiny real C2F1, a settable clock. */
class CatalogMirrorTest {
  private static final String TOPIC = "catalog";
  private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
  private static final ModelSpec SPEC = ModelSpec.c2f1(1, 4, 4);

  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Recorder events = new Recorder();
  private final EmbeddingModel v1 = EmbeddingModel.create(SPEC, 1, Device.cpu());
  private long now;
  private long offset;

  /** Item {@code id}'s image: one grey level per upload, 1 byte on the wire; others are refused. */
  private static CatalogItem decode(ConsumerRecord<byte[], byte[]> r)
      throws RejectedRecordException {
    if (r.value() == null || r.value().length != 1) {
      throw new RejectedRecordException(Reason.INVALID, "not one byte", null);
    }
    String id = new String(r.key(), StandardCharsets.UTF_8);
    return new CatalogItem(id, id + "@" + r.offset(), r.value()[0], grey(r.value()[0]));
  }

  private static float[] grey(int level) {
    float[] pixels = new float[SPEC.imageSize()];
    Arrays.fill(pixels, level / 10f);
    return pixels;
  }

  private ConsumerRecord<byte[], byte[]> record(String id, byte[] value) {
    return new ConsumerRecord<>(TOPIC, 0, offset++, id.getBytes(StandardCharsets.UTF_8), value);
  }

  /** A mirror whose topic already holds {@code atStart} (read by loadInitial or run). */
  private CatalogMirror mirror(List<ConsumerRecord<byte[], byte[]>> atStart, int rebuildItems) {
    consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, null, null, null)));
    consumer.updateBeginningOffsets(Map.of(P0, 0L));
    consumer.updateEndOffsets(Map.of(P0, (long) atStart.size()));
    consumer.schedulePollTask(() -> atStart.forEach(consumer::addRecord));
    InstantSource settable = () -> Instant.ofEpochMilli(now);
    Clock clock = settable.withZone(ZoneOffset.UTC);
    return CatalogMirror.builder()
        .setCatalog(consumer, TOPIC)
        .setModel(v1, false)
        .setDecoder(CatalogMirrorTest::decode)
        .setSwapStages(new SwapStages(registry, "test"))
        .setClock(clock)
        .setRebuild(rebuildItems, Duration.ofSeconds(1))
        .optEvents(events)
        .build();
  }

  private static ModelUpdate update(String version) {
    return new ModelUpdate(AssembledModel.of(version, "", "{}", 1, new byte[0]), false, 0, true);
  }

  private static void assertEmbeddedWith(EmbeddingModel model, GallerySnapshot s, int row, int g) {
    assertArrayEquals(model.embed(grey(g), 1).row(0), s.embeddings().row(row), 1e-5f);
  }

  @AfterEach
  void closeModel() {
    v1.close();
  }

  @Test
  void loadsTheCatalogPresentAtStartIntoOneSnapshot() {
    CatalogMirror mirror =
        mirror(
            List.of(
                record("a", new byte[] {1}),
                record("b", new byte[] {2}),
                record("a", new byte[] {3}),
                record("c", new byte[] {4, 4})),
            1);

    assertTrue(mirror.loadInitial(() -> true));
    assertEquals(2, mirror.size(), "c refused");
    consumer.addRecord(record("b", null));
    mirror.poll();

    GallerySnapshot s = mirror.current();
    assertEquals(1, s.size(), "b removed by its tombstone");
    assertEquals(0, s.selfRow("a", "a@2"), "the re-upload replaced the first photo");
    assertEquals(3, s.label(0));
    assertEmbeddedWith(v1, s, 0, 3);
    assertEquals(List.of("c"), events.rejected);
    assertEquals(List.of(2), events.loaded);
    assertEquals(List.of(2, 1), events.rebuilt, "no intermediate snapshot while loading");
    mirror.close();
    assertTrue(consumer.closed());
    assertTrue(v1.manager().isOpen(), "the caller's model stays open");
  }

  @Test
  void aSwapReembedsTheCatalogWithTheOfferedVersionAndTimesItsStages() {
    CatalogMirror mirror = mirror(List.of(record("a", new byte[] {1})), 100);
    mirror.loadInitial(() -> true);
    GallerySnapshot before = mirror.acquire();
    EmbeddingModel v2 = EmbeddingModel.create(SPEC, 2, Device.cpu());

    mirror.offer(v2, update("v2"));
    assertSame(v1, mirror.current().model(), "nothing switches before the next poll");
    mirror.poll();

    GallerySnapshot after = mirror.current();
    assertSame(v2, after.model());
    assertEmbeddedWith(v2, after, 0, 1);
    assertEquals(List.of("v2"), events.swapped);
    for (SwapStages.Stage stage : List.of(SwapStages.Stage.WAIT, SwapStages.Stage.REEMBED)) {
      assertEquals(1, timerCount(stage), stage.label());
    }
    assertEquals(1, timerCount(SwapStages.Stage.INDEX));
    assertSame(v1, before.model(), "a batch that started before the swap keeps its version");
    assertEmbeddedWith(v1, before, 0, 1);
    before.release();
    mirror.close();
    assertFalse(v2.manager().isOpen(), "an offered version belongs to the mirror");
  }

  @Test
  void anOwnedVersionClosesWithTheLastBatchThatUsedIt() {
    CatalogMirror mirror = mirror(List.of(record("a", new byte[] {1})), 100);
    mirror.loadInitial(() -> true);
    EmbeddingModel v2 = EmbeddingModel.create(SPEC, 2, Device.cpu());
    mirror.offer(v2, update("v2"));
    mirror.poll();
    GallerySnapshot onV2 = mirror.acquire();

    mirror.offer(EmbeddingModel.create(SPEC, 3, Device.cpu()), update("v3"));
    mirror.poll();

    assertTrue(v2.manager().isOpen(), "still used by a batch");
    assertEmbeddedWith(v2, onV2, 0, 1);
    onV2.release();
    assertFalse(v2.manager().isOpen(), "closed with its last user");
    assertTrue(v1.manager().isOpen(), "the first version is the caller's");
    mirror.close();
  }

  @Test
  void aVersionOfferedTwiceBeforeAPollDropsTheFirst() {
    CatalogMirror mirror = mirror(List.of(), 100);
    mirror.loadInitial(() -> true);
    EmbeddingModel skipped = EmbeddingModel.create(SPEC, 2, Device.cpu());

    mirror.offer(skipped, update("v2"));
    mirror.offer(EmbeddingModel.create(SPEC, 3, Device.cpu()), update("v3"));
    mirror.poll();

    assertFalse(skipped.manager().isOpen());
    assertEquals(List.of("v3"), events.swapped);
    mirror.close();
  }

  @Test
  void publishesAfterEnoughChangesOrOnceTheOldestChangeIsOldEnough() {
    CatalogMirror mirror = mirror(List.of(), 2);
    mirror.loadInitial(() -> true);

    consumer.addRecord(record("a", new byte[] {1}));
    mirror.poll();
    assertEquals(0, mirror.size(), "one change of two");
    consumer.addRecord(record("b", new byte[] {2}));
    mirror.takeIn();
    assertEquals(0, mirror.size(), "taking in never publishes");
    mirror.poll();
    assertEquals(2, mirror.size());

    consumer.addRecord(record("c", new byte[] {3}));
    mirror.poll();
    now += 999;
    mirror.poll();
    assertEquals(2, mirror.size());
    now += 1;
    mirror.poll();
    assertEquals(3, mirror.size(), "the oldest change is 1 s old");
    mirror.close();
  }

  @Test
  void onItsOwnThreadItSignalsTheLoadedCatalogAndSwitchesToAnOfferedVersion() throws Exception {
    CatalogMirror mirror = mirror(List.of(record("a", new byte[] {1})), 100);
    Thread thread = new Thread(mirror, "mirror");
    thread.start();
    assertTrue(events.loadedLatch.await(10, TimeUnit.SECONDS));
    EmbeddingModel v2 = EmbeddingModel.create(SPEC, 2, Device.cpu());

    mirror.offer(v2, update("v2"));

    assertTrue(events.swappedLatch.await(10, TimeUnit.SECONDS));
    GallerySnapshot s = mirror.acquire();
    assertSame(v2, s.model());
    assertEmbeddedWith(v2, s, 0, 1);
    s.release();
    mirror.stop();
    thread.join(10_000);
    assertFalse(thread.isAlive());
    assertTrue(consumer.closed(), "the thread closed its consumer");
    mirror.close();
    assertTrue(events.failures.isEmpty(), events.failures.toString());
  }

  private long timerCount(SwapStages.Stage stage) {
    return registry.get(SwapStages.METER).tag("stage", stage.label()).timer().count();
  }

  /** Remembers what the mirror reported. */
  private static final class Recorder implements MirrorEvents {
    final List<String> rejected = new ArrayList<>();
    final List<Integer> loaded = new ArrayList<>();
    final List<Integer> rebuilt = new ArrayList<>();
    final List<String> swapped = new ArrayList<>();
    final List<Throwable> failures = new ArrayList<>();
    final CountDownLatch loadedLatch = new CountDownLatch(1);
    final CountDownLatch swappedLatch = new CountDownLatch(1);

    @Override
    public void rejected(ConsumerRecord<byte[], byte[]> r, RejectedRecordException e) {
      rejected.add(new String(r.key(), StandardCharsets.UTF_8));
    }

    @Override
    public void loaded(int items) {
      loaded.add(items);
      loadedLatch.countDown();
    }

    @Override
    public void rebuilt(int items) {
      rebuilt.add(items);
    }

    @Override
    public void swapped(ModelUpdate update) {
      swapped.add(update.version());
      swappedLatch.countDown();
    }

    @Override
    public void failed(Throwable error) {
      failures.add(error);
    }
  }
}
