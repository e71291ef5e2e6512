package io.advrank.defensetrainer;

import io.advrank.proto.v1.AdversarialVariant;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ModelDecision;
import io.advrank.proto.v1.ModelVersion;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.lifecycle.RunningService;
import io.advrank.runtime.metrics.Health;
import io.advrank.runtime.topic.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous hardening: fine-tunes the served model with EST (embedding-shifted triplet,
 * docs/method.md) on what the marketplace sees, and publishes a new version only when it is
 * measurably more robust and still ranks well.
 *
 * <ul>
 *   <li>Input {@link Topics#CATALOG} ({@code advrank.catalog}): key = item id, value = {@link
 *       ImageEvent}; labelled images feed the rolling training buffer and the held-out set.
 *   <li>Input {@link Topics#ADVERSARIAL} ({@code advrank.adversarial}): key = item id, value =
 *       {@link AdversarialVariant}; variants of known catalog items are trained on with the item's
 *       label. Both read in consumer group {@code group.id}.
 *   <li>Input {@link Topics#MODELS}: the version consumers serve is the one fine-tuned (else {@code
 *       model.dir}); followed while running, so a rollback or a version published by someone else
 *       becomes the trainer's parent.
 *   <li>Output {@link Topics#MODELS} ({@code advrank.models}): key = {@code <version>/<chunk>},
 *       value = {@link ModelVersion} chunks of every version that passed the gate.
 *   <li>Output {@link Topics#MODEL_DECISIONS} ({@code advrank.model-decisions}): key = candidate
 *       version, value = {@link ModelDecision} (published or rejected, with the figures).
 *   <li>Output {@link Topics#DEAD_LETTER}: input records that are not usable images or variants.
 * </ul>
 *
 * <p>One thread ({@link TrainerLoop}, a Kafka shell around {@link Ingest} and {@link
 * HardeningRound}). Its EST steps and probe attacks take gradients through core's process-wide
 * gradient lane, so it can share a JVM with an attack-worker.
 */
public final class DefenseTrainerService implements RunningService {
  private static final Logger LOG = LoggerFactory.getLogger(DefenseTrainerService.class);
  private static final String SERVICE = "defense-trainer";

  private final Producer<byte[], byte[]> producer;
  private final TrainerLoop loop;
  private final Thread thread;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile String lastPublished = "";

  /** A trainer with its Kafka clients connected; reads nothing before {@link #start()}. */
  public DefenseTrainerService(
      DefenseTrainerSettings settings, Clock clock, MeterRegistry registry) {
    Objects.requireNonNull(clock, "clock");
    this.producer = new KafkaProducer<>(producerProps(settings));
    this.loop =
        new TrainerLoop(
            new KafkaConsumer<>(consumerProps(settings)),
            producer,
            new DeadLetters(producer, SERVICE, registry),
            new KafkaModelChannel(settings, registry, clock),
            settings,
            clock,
            new DefenseTrainerMetrics(registry),
            v -> lastPublished = v,
            this::fail);
    this.thread = new Thread(loop, "advrank-" + settings.trainerId());
  }

  @Override
  public void start() {
    thread.start();
  }

  /** The last version this trainer published, or empty. */
  public String lastPublished() {
    return lastPublished;
  }

  /** The error that stopped the trainer, if any. */
  @Override
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure.get());
  }

  @Override
  public Health health() {
    Throwable error = failure.get();
    if (error != null) {
      return Health.down(error.toString());
    }
    return new Health(true, Map.of("parent", loop.parentVersion()));
  }

  @Override
  public void close() {
    loop.stop();
    try {
      thread.join(Duration.ofMinutes(2).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(10));
  }

  private void fail(Throwable error) {
    if (failure.compareAndSet(null, error)) {
      LOG.error("defense-trainer failed: {}", error.toString());
    }
  }

  private static Properties consumerProps(DefenseTrainerSettings s) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.kafka().bootstrapServers());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "advrank-" + s.trainerId());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, s.groupId());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    // An evaluation (R@1 and eight probe attacks) can take minutes on a small CPU; below the
    // default connections.max.idle.ms (9 min) so the coordinator connection is not dropped.
    p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Duration.ofMinutes(8).toMillis());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return ClientProperties.secured(p);
  }

  private static Properties producerProps(DefenseTrainerSettings s) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.kafka().bootstrapServers());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "advrank-" + s.trainerId());
    // One request in flight: a retried batch never lands behind its successors (the
    // OUT_OF_ORDER_SEQUENCE_NUMBER loop seen after NOT_LEADER_OR_FOLLOWER on fresh topics).
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return ClientProperties.secured(p);
  }
}
