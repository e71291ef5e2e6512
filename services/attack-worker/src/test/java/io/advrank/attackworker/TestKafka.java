package io.advrank.attackworker;

import ai.djl.Device;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.data.PhotoFiles;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelManifest;
import io.advrank.core.model.ModelSpec;
import io.advrank.core.model.WeightsFiles;
import io.advrank.embedded.EmbeddedKafka;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ImageKind;
import io.advrank.proto.v1.PhotoFormat;
import io.advrank.proto.v1.Pixels;
import io.advrank.runtime.model.AssembledModel;
import io.advrank.runtime.model.ModelTrust;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.topic.Topic;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.PixelCodec;
import io.advrank.serving.DeviceChoice;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Broker plumbing shared by the attack-worker's ITs: topics, fixture traffic, readers. */
final class TestKafka {
  static final Path MODEL = Path.of("../../models/fmnist-c2f1");
  static final Path FIXTURE = Path.of("../core/src/test/resources/fixtures/fashion-mnist-mini");

  private TestKafka() {}

  static EmbeddedKafka startWithTopics() {
    EmbeddedKafka kafka = EmbeddedKafka.start();
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Topics.createAll(admin, (short) 1, Duration.ofSeconds(30));
      awaitLeaders(admin);
    }
    return kafka;
  }

  /**
   * Waits until every partition has a leader: a fresh broker answered the first produce requests
   * with NOT_LEADER_OR_FOLLOWER and then stalled an idempotent producer for minutes under load.
   */
  private static void awaitLeaders(Admin admin) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        boolean ready =
            admin.describeTopics(Topics.names()).allTopicNames().get().values().stream()
                .flatMap(d -> d.partitions().stream())
                .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
        if (ready) {
          return;
        }
        Thread.sleep(50);
      } catch (Exception e) {
        throw new IllegalStateException("waiting for partition leaders: " + e, e);
      }
    }
    throw new IllegalStateException("partitions without a leader after 30 s");
  }

  static AttackWorkerSettings settings(
      EmbeddedKafka kafka, String workerId, String campaign, int batchMax) {
    return settings(kafka, workerId, campaign, batchMax, Duration.ofMillis(20));
  }

  static AttackWorkerSettings settings(
      EmbeddedKafka kafka, String workerId, String campaign, int batchMax, Duration batchWait) {
    return new AttackWorkerSettings(
        MODEL,
        Campaign.parse(campaign, 17),
        batchMax,
        batchWait,
        100,
        Duration.ofMillis(200),
        16384,
        "it-attackers",
        workerId,
        0,
        DeviceChoice.parse("cpu"),
        new KafkaSettings(kafka.bootstrapServers(), (short) 1),
        new StagingFence(Set.copyOf(StagingFence.WRITES), kafka.clusterId()),
        ModelTrust.NONE);
  }

  /** Catalog items 0..n-1 of the fixture's test split. */
  static List<ImageEvent> catalog(int n) throws Exception {
    ImageDataset data = DatasetDirectory.load(FIXTURE, DatasetDirectory.Split.TEST);
    List<ImageEvent> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(event(data, i, "cat-" + i, "item-" + i, ImageKind.IMAGE_KIND_CATALOG_ITEM));
    }
    return out;
  }

  /** Queries showing images held out of a catalog of {@code from} items. */
  static List<ImageEvent> queries(int from, int n) throws Exception {
    ImageDataset data = DatasetDirectory.load(FIXTURE, DatasetDirectory.Split.TEST);
    List<ImageEvent> out = new ArrayList<>();
    for (int j = 0; j < n; j++) {
      out.add(event(data, from + j, "qe-" + j, "q-" + j, ImageKind.IMAGE_KIND_QUERY));
    }
    return out;
  }

  /**
   * Image {@code i} as 8-bit pixels, or for every third one as the PNG file of those pixels (as a
   * producer sending a photo folder's files does): lossless, so the model sees the same values.
   */
  private static ImageEvent event(ImageDataset d, int i, String eventId, String id, ImageKind k) {
    float[] v = d.image(i);
    byte[] bytes = new byte[v.length];
    for (int p = 0; p < v.length; p++) {
      bytes[p] = (byte) Math.round(v[p] * 255f);
    }
    Pixels pixels =
        i % 3 == 1
            ? PixelCodec.encoded(
                PhotoFormat.PHOTO_FORMAT_PNG,
                PhotoFiles.png(bytes, d.channels(), d.height(), d.width()))
            : PixelCodec.fromUint8(d.channels(), d.height(), d.width(), bytes);
    return ImageEvent.newBuilder()
        .setEventId(eventId)
        .setKind(k)
        .setItemId(id)
        .setLabel(d.label(i))
        .setPixels(pixels)
        .build();
  }

  static void produce(
      EmbeddedKafka kafka, Topic<String, ImageEvent> topic, List<ImageEvent> events) {
    try (KafkaProducer<byte[], byte[]> p = bytesProducer(kafka)) {
      send(p, topic, events);
    }
  }

  /** Sends {@code events} keyed by item id, as the producer service does; does not wait. */
  static void send(
      KafkaProducer<byte[], byte[]> p, Topic<String, ImageEvent> topic, List<ImageEvent> events) {
    for (ImageEvent e : events) {
      var headers = new org.apache.kafka.common.header.internals.RecordHeaders();
      byte[] value = topic.valueSerde().serializer().serialize(topic.name(), headers, e);
      p.send(new ProducerRecord<>(topic.name(), null, e.getItemId().getBytes(), value, headers));
    }
  }

  static KafkaProducer<byte[], byte[]> bytesProducer(EmbeddedKafka kafka) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    // One request in flight: a batch retried after NOT_LEADER_OR_FOLLOWER on a fresh topic must
    // reach the broker before its successors, or the broker, its first append already holding,
    // answers OUT_OF_ORDER_SEQUENCE_NUMBER forever (RankerDeadLetterIT, once in CI).
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /**
   * Reads {@code topic} with the given isolation until {@code done} holds, then one more second so
   * that a duplicate would show up.
   */
  static List<ConsumerRecord<byte[], byte[]>> read(
      EmbeddedKafka kafka,
      String topic,
      boolean committedOnly,
      Predicate<List<ConsumerRecord<byte[], byte[]>>> done,
      Duration timeout) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (var consumer = consumer(kafka, committedOnly)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!done.test(out) && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(100)).forEach(out::add);
      }
      long extra = System.nanoTime() + Duration.ofSeconds(1).toNanos();
      while (System.nanoTime() < extra) {
        consumer.poll(Duration.ofMillis(100)).forEach(out::add);
      }
    }
    return out;
  }

  /** A consumer in a fresh group that starts at the earliest offsets; the caller subscribes. */
  static KafkaConsumer<byte[], byte[]> consumer(EmbeddedKafka kafka, boolean committedOnly) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(
        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
        committedOnly ? "read_committed" : "read_uncommitted");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  static <V> List<V> values(Topic<String, V> topic, List<ConsumerRecord<byte[], byte[]>> records) {
    return records.stream()
        .map(r -> topic.valueSerde().deserializer().deserialize(topic.name(), r.value()))
        .toList();
  }

  /**
   * Fresh C2F1 weights (seed 5) saved under {@code dir} as version {@code id}, created now: newer
   * than the shipped model, so a worker offered it on advrank.models switches to it.
   */
  static AssembledModel version(Path dir, String id) throws Exception {
    Instant now = Instant.now();
    ModelSpec spec = ModelSpec.c2f1(1, 28, 28);
    try (EmbeddingModel m = EmbeddingModel.create(spec, 5, Device.cpu())) {
      ModelManifest written =
          m.save(
              dir,
              new ModelManifest(
                  1,
                  id,
                  "fmnist-c2f1-v1",
                  spec,
                  0,
                  null,
                  null,
                  null,
                  now.toString(),
                  null,
                  null,
                  null));
      return AssembledModel.of(
          id,
          "fmnist-c2f1-v1",
          written.toJson(),
          now.toEpochMilli(),
          WeightsFiles.read(dir, written.weightsFile()));
    }
  }

  /** A worker with real clients; {@code producer} may be a crashing one. */
  /** A started worker with its own transactional producer whose gallery has loaded. */
  static AttackWorkerService readyWorker(
      AttackWorkerSettings s,
      EmbeddingModel model,
      io.micrometer.core.instrument.MeterRegistry registry)
      throws InterruptedException {
    AttackWorkerService worker =
        worker(s, model, new KafkaProducer<>(AttackWorkerClients.producer(s)), registry);
    worker.start();
    if (!worker.awaitReady(java.time.Duration.ofSeconds(30))) {
      worker.close();
      throw new AssertionError("the worker's gallery did not load in 30 s");
    }
    return worker;
  }

  static AttackWorkerService worker(
      AttackWorkerSettings s,
      EmbeddingModel model,
      KafkaProducer<byte[], byte[]> producer,
      io.micrometer.core.instrument.MeterRegistry registry) {
    return new AttackWorkerService(
        s,
        model,
        new KafkaConsumer<>(AttackWorkerClients.workConsumer(s)),
        new KafkaConsumer<>(AttackWorkerClients.galleryConsumer(s)),
        new KafkaConsumer<>(AttackWorkerClients.scanConsumer(s)),
        producer,
        new KafkaProducer<>(AttackWorkerClients.forwardProducer(s)),
        java.time.Clock.systemUTC(),
        registry);
  }
}
