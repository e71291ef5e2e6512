package io.advrank.ranker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.embedded.EmbeddedKafka;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ImageKind;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.PixelCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/**
 * The catalog is state: a ranker (re)started long after the first uploads still indexes every item.
 * Here the delivered catalog's retention is 1 s and its segments roll every 0.3 s, so under the old
 * delete policy the first uploads were gone before the ranker started; compaction keeps the latest
 * photo of every item, drops a re-upload's older photo and applies a tombstone.
 */
class RankerCatalogRestartIT {
  private static final String CATALOG = Topics.CATALOG_DELIVERED.name();

  @Test
  void aRankerStartedAfterTheRetentionTimeStillIndexesEveryLiveItem() throws Exception {
    ImageDataset test = DatasetDirectory.load(TestKafka.FIXTURE, DatasetDirectory.Split.TEST);
    Map<String, String> broker =
        Map.of(
            "log.retention.check.interval.ms", "200",
            "log.cleaner.backoff.ms", "200",
            "log.segment.delete.delay.ms", "0");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(broker);
        EmbeddingModel model = EmbeddingModel.load(TestKafka.MODEL, Device.cpu());
        Admin admin =
            Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Topics.createAll(admin, (short) 1, Duration.ofSeconds(30));
      expireQuickly(admin);
      try (KafkaProducer<byte[], byte[]> out = TestKafka.bytesProducer(kafka)) {
        for (int i = 0; i < 30; i++) {
          send(out, "item-" + i, event("e-" + i, "item-" + i, test, i).toByteArray());
        }
        out.flush();
        Thread.sleep(1500); // the first uploads are past retention.ms and in closed segments
        send(out, "item-0", event("e-0-again", "item-0", test, 40).toByteArray()); // re-upload
        send(out, "item-1", null); // the seller deletes item-1
        for (int i = 30; i < 34; i++) {
          send(out, "item-" + i, event("e-" + i, "item-" + i, test, i).toByteArray());
          out.flush();
          Thread.sleep(400); // new records roll the segments, so the cleaner may compact them
        }
      }
      awaitCompacted(kafka);

      try (RankerService ranker =
          new RankerService(
              TestKafka.rankerSettings(kafka, "it-restart"),
              model,
              Clock.systemUTC(),
              new SimpleMeterRegistry())) {
        ranker.start();
        assertTrue(ranker.awaitReady(Duration.ofSeconds(30)), "catalog loaded");
        assertEquals(33, ranker.catalogSize(), "34 items uploaded, item-1 deleted");
      }
    }
  }

  /** Settings that would have deleted the first uploads before the ranker starts. */
  private static void expireQuickly(Admin admin) throws Exception {
    ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, CATALOG);
    List<AlterConfigOp> ops =
        List.of(
            set("retention.ms", "1000"),
            set("segment.ms", "300"),
            set("min.cleanable.dirty.ratio", "0.01"),
            set("delete.retention.ms", "60000"));
    admin.incrementalAlterConfigs(Map.of(topic, ops)).all().get();
  }

  private static AlterConfigOp set(String key, String value) {
    return new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET);
  }

  /** Waits until item-0's first photo is gone: the cleaner has compacted its segment. */
  private static void awaitCompacted(EmbeddedKafka kafka) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    Map<String, Integer> byKey = new HashMap<>();
    while (System.nanoTime() < deadline) {
      byKey.clear();
      // Each round reads the whole topic again from the beginning, for two seconds.
      TestKafka.readUntil(kafka, CATALOG, r -> false, Duration.ofSeconds(2))
          .forEach(r -> byKey.merge(new String(r.key()), 1, Integer::sum));
      if (byKey.getOrDefault("item-0", 0) == 1) {
        break;
      }
    }
    assertEquals(1, byKey.get("item-0"), "compaction kept only item-0's latest photo: " + byKey);
    assertTrue(byKey.containsKey("item-2"), "item-2, older than retention.ms, is still there");
  }

  private static ImageEvent event(String eventId, String item, ImageDataset test, int index) {
    return ImageEvent.newBuilder()
        .setEventId(eventId)
        .setKind(ImageKind.IMAGE_KIND_CATALOG_ITEM)
        .setItemId(item)
        .setLabel(test.label(index))
        .setPixels(PixelCodec.fromFloats(1, 28, 28, test.image(index)))
        .build();
  }

  private static void send(KafkaProducer<byte[], byte[]> out, String key, byte[] value) {
    out.send(new ProducerRecord<>(CATALOG, key.getBytes(), value));
  }
}
