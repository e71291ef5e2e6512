package io.advrank.cli.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.advrank.cli.bench.BenchFuzzRecords.Fuzzed;
import io.advrank.cli.bench.BenchFuzzRecords.Kind;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ImageKind;
import io.advrank.proto.v1.RankingResult;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.topic.Topic;
import io.advrank.runtime.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.BiFunction;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * The bench fuzzer's Kafka side: sends malformed and valid records as raw bytes (a null key or
 * value as it is), noting each malformed record's partition and offset from its acknowledgement,
 * and reads back what came out — {@code advrank.dead-letter}, {@code advrank.rankings} and {@code
 * advrank.catalog.observations} — from the start of the run's own broker, into a {@link
 * BenchFuzzReport}.
 */
final class BenchFuzzTraffic implements AutoCloseable {
  /** The topics fuzzed: the inputs of the attack-worker, then those of the ranker. */
  static final List<Topic<String, ImageEvent>> INPUTS =
      List.of(Topics.CATALOG, Topics.QUERIES, Topics.CATALOG_DELIVERED, Topics.QUERIES_DELIVERED);

  /** After everything arrived: how long to keep reading, to catch a second dead letter. */
  private static final Duration SETTLE = Duration.ofSeconds(3);

  private final Producer<byte[], byte[]> producer;
  private final Consumer<byte[], byte[]> outputs;
  private final BenchFuzzReport report;

  BenchFuzzTraffic(String bootstrap, BenchFuzzReport report) {
    this.report = report;
    Properties p = ClientProperties.idempotentProducer(bootstrap, "advrank-bench-fuzz");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    this.producer = new KafkaProducer<>(p);
    this.outputs =
        new KafkaConsumer<>(
            ClientProperties.byteConsumer(bootstrap, "advrank-bench-fuzz-outputs", true));
    List<TopicPartition> partitions = new ArrayList<>();
    for (Topic<?, ?> t :
        List.of(Topics.DEAD_LETTER, Topics.RANKINGS, Topics.CATALOG_OBSERVATIONS)) {
      for (PartitionInfo info : outputs.partitionsFor(t.name())) {
        partitions.add(new TopicPartition(t.name(), info.partition()));
      }
    }
    outputs.assign(partitions);
    outputs.seekToBeginning(partitions);
  }

  static boolean isCatalog(Topic<String, ImageEvent> topic) {
    return topic == Topics.CATALOG || topic == Topics.CATALOG_DELIVERED;
  }

  /**
   * Sends {@code records} malformed records to {@code topic}, the kinds in turn, and a valid one
   * after every {@code validEvery}. A valid record's item id is also its event id: its ranking
   * (query) or observation (catalog item) is found by it.
   */
  void send(
      Topic<String, ImageEvent> topic,
      BenchFuzzRecords fuzz,
      BenchPipelineEvents events,
      int records,
      int validEvery) {
    String name = topic.name();
    boolean catalog = isCatalog(topic);
    ImageKind other = catalog ? ImageKind.IMAGE_KIND_QUERY : ImageKind.IMAGE_KIND_CATALOG_ITEM;
    String tag = name.substring(name.indexOf('.') + 1).replace('.', '-');
    send(
        name,
        BenchFuzzRecords.kinds(catalog, !name.endsWith(".delivered")),
        records,
        (kind, i) -> fuzz.make(kind, event(events, catalog, tag + "-bad", i), other),
        validEvery,
        i -> {
          ImageEvent ok = event(events, catalog, tag + "-ok", i);
          report.validSent(name, ok.getItemId());
          return new Fuzzed(
              null, ok.getItemId().getBytes(StandardCharsets.UTF_8), ok.toByteArray());
        });
  }

  /**
   * Sends {@code records} malformed records of {@code kinds} to {@code topic}, the kinds in turn,
   * each made by {@code malformed} from its kind and number; and, if {@code valid} is not null, one
   * valid record made by it after every {@code validEvery} (it notes the record in the report
   * itself).
   */
  void send(
      String topic,
      List<Kind> kinds,
      int records,
      BiFunction<Kind, Integer, Fuzzed> malformed,
      int validEvery,
      IntFunction<Fuzzed> valid) {
    report.topic(topic);
    for (int i = 0; i < records; i++) {
      Kind kind = kinds.get(i % kinds.size());
      Fuzzed f = malformed.apply(kind, i);
      producer.send(
          new ProducerRecord<>(topic, f.key(), f.value()),
          (md, e) -> {
            if (e != null) {
              report.sendFailed(topic, kind);
            } else {
              report.sent(topic, kind, md.partition(), md.offset());
            }
          });
      if (valid != null && (i + 1) % validEvery == 0) {
        Fuzzed ok = valid.apply(i);
        producer.send(new ProducerRecord<>(topic, ok.key(), ok.value()));
      }
    }
  }

  /**
   * Sends {@code records} malformed records of {@link BenchFuzzRecords#MESSAGE_KINDS} to a topic
   * built from {@code valid} (and {@code breaksRule}, the invalid kind) by number; with {@code
   * validEvery} > 0 also one valid record after every {@code validEvery}, which must get no dead
   * letter. Without, the topic's valid traffic is the services' own output (the ranker's rankings
   * and observations), which must get no dead letter either.
   */
  void send(
      Topic<String, ? extends Message> topic,
      BenchFuzzRecords fuzz,
      int records,
      int validEvery,
      IntFunction<Message> valid,
      IntFunction<Message> breaksRule) {
    String name = topic.name();
    send(
        name,
        BenchFuzzRecords.MESSAGE_KINDS,
        records,
        (kind, i) -> fuzz.make(kind, "fuzz-" + i, valid.apply(i), breaksRule.apply(i)),
        validEvery,
        validEvery <= 0 ? null : i -> unobserved(name, "fuzz-ok-" + i, valid.apply(i)));
  }

  /** A valid record with no output the bench reads, noted in the report. */
  Fuzzed unobserved(String topic, String key, Message value) {
    report.validSent(topic);
    return new Fuzzed(null, key.getBytes(StandardCharsets.UTF_8), value.toByteArray());
  }

  private static ImageEvent event(BenchPipelineEvents events, boolean catalog, String tag, int n) {
    int index = n % events.data().size();
    ImageEvent e = catalog ? events.catalogItem(index) : events.query(tag, n, index);
    String id = events.queryId(tag, n);
    return e.toBuilder().setEventId(id).setItemId(id).build();
  }

  void flush() {
    producer.flush();
  }

  /**
   * Reads outputs until the report is complete, a service fails or {@code timeout} passes; then
   * {@link #SETTLE} more, so that a second dead letter for one record is seen too.
   */
  void await(Duration timeout, Supplier<Optional<Throwable>> failure) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long progress = System.nanoTime();
    while (!report.complete() && failure.get().isEmpty() && System.nanoTime() < deadline) {
      poll();
      if (System.nanoTime() - progress > 10_000_000_000L) {
        progress = System.nanoTime();
        System.err.println("bench fuzz: " + report.progress());
      }
    }
    long settle = System.nanoTime() + SETTLE.toNanos();
    while (System.nanoTime() < settle) {
      poll();
    }
  }

  private void poll() {
    for (ConsumerRecord<byte[], byte[]> r : outputs.poll(Duration.ofMillis(200))) {
      if (r.topic().equals(Topics.DEAD_LETTER.name())) {
        var h = r.headers();
        report.deadLetter(
            DeadLetters.header(h, DeadLetters.SOURCE_TOPIC),
            Integer.parseInt(DeadLetters.header(h, DeadLetters.SOURCE_PARTITION)),
            Long.parseLong(DeadLetters.header(h, DeadLetters.SOURCE_OFFSET)),
            DeadLetters.header(h, DeadLetters.SERVICE),
            DeadLetters.header(h, DeadLetters.REASON));
      } else if (r.topic().equals(Topics.RANKINGS.name())) {
        try {
          report.delivered(RankingResult.parseFrom(r.value()).getQueryEventId());
        } catch (InvalidProtocolBufferException | NullPointerException e) {
          // one of the malformed rankings this bench wrote itself
        }
      } else if (r.key() != null) {
        report.delivered(new String(r.key(), StandardCharsets.UTF_8)); // an observation
      }
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
    outputs.close();
  }
}
