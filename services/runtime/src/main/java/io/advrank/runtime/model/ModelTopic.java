package io.advrank.runtime.model;

import io.advrank.proto.v1.ModelVersion;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.topic.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Writing and reading {@code advrank.models} as a whole: publishing a version (all its chunks,
 * acknowledged), publishing a rollback, and replaying the topic to list what is on it. Used by the
 * defense-trainer and by {@code advrank models}; services read it live through {@link ModelFeed}.
 */
public final class ModelTopic {
  private ModelTopic() {}

  /**
   * What the topic holds, replayed in order.
   *
   * @param versions complete, verified versions in the order they completed
   * @param activations rollbacks, in order
   * @param refused truncated, tampered or malformed versions and records
   * @param active the version a consumer serves after replaying it all (the newest, or the target
   *     of a later rollback); empty if the topic holds no version
   */
  public record History(
      List<AssembledModel> versions,
      List<ModelAssembler.Activate> activations,
      List<ModelAssembler.Refused> refused,
      Optional<String> active) {}

  /** Publishes every chunk of {@code model}, unsigned, and waits until all are acknowledged. */
  public static void publish(String bootstrapServers, AssembledModel model, Duration timeout) {
    publish(bootstrapServers, model, Optional.empty(), timeout);
  }

  /**
   * Publishes every chunk of {@code model}, signed by {@code signer} if present, and waits until
   * all are acknowledged.
   */
  public static void publish(
      String bootstrapServers,
      AssembledModel model,
      Optional<ModelSigner> signer,
      Duration timeout) {
    ModelSignature signature = signer.map(s -> s.sign(model)).orElse(ModelSignature.NONE);
    try (KafkaProducer<String, ModelVersion> producer = producer(bootstrapServers)) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (ModelVersion chunk : ModelChunks.split(model, signature)) {
        String key = Topics.modelChunkKey(chunk.getVersion(), chunk.getChunkIndex());
        sent.add(producer.send(new ProducerRecord<>(Topics.MODELS.name(), key, chunk)));
      }
      awaitAll(sent, timeout);
    }
  }

  /** Publishes the activation (rollback) of {@code version}, unsigned, and waits for it. */
  public static void activate(
      String bootstrapServers, String version, long atMs, Duration timeout) {
    activate(bootstrapServers, version, atMs, Optional.empty(), timeout);
  }

  /** Publishes the activation of {@code version}, signed by {@code signer} if present. */
  public static void activate(
      String bootstrapServers,
      String version,
      long atMs,
      Optional<ModelSigner> signer,
      Duration timeout) {
    ModelSignature signature =
        signer.map(s -> s.signActivation(version, atMs)).orElse(ModelSignature.NONE);
    try (KafkaProducer<String, ModelVersion> producer = producer(bootstrapServers)) {
      ModelVersion record = ModelChunks.activation(version, atMs, signature);
      awaitAll(
          List.of(
              producer.send(
                  new ProducerRecord<>(Topics.MODELS.name(), Topics.MODEL_ACTIVE_KEY, record))),
          timeout);
    }
  }

  /** Reads the topic from the beginning to its current end, checking no signatures. */
  public static History read(String bootstrapServers, Duration timeout) {
    return read(bootstrapServers, ModelTrust.NONE, timeout);
  }

  /**
   * Reads the topic from the beginning to its current end; versions {@code trust} refuses are among
   * {@link History#refused()}, as a consumer with the same keys would refuse them.
   */
  public static History read(String bootstrapServers, ModelTrust trust, Duration timeout) {
    ModelAssembler assembler = new ModelAssembler(trust);
    List<AssembledModel> versions = new ArrayList<>();
    List<ModelAssembler.Activate> activations = new ArrayList<>();
    List<ModelAssembler.Refused> refused = new ArrayList<>();
    String newest = null;
    long newestAt = Long.MIN_VALUE;
    String active = null;
    try (KafkaConsumer<String, ModelVersion> consumer = consumer(bootstrapServers)) {
      TopicPartition p = new TopicPartition(Topics.MODELS.name(), 0);
      consumer.assign(List.of(p));
      consumer.seekToBeginning(List.of(p));
      long end = consumer.endOffsets(List.of(p), timeout).get(p);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (consumer.position(p) < end) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "reading " + Topics.MODELS + " took longer than " + timeout.toSeconds() + " s");
        }
        for (ConsumerRecord<String, ModelVersion> r : consumer.poll(Duration.ofMillis(200))) {
          for (ModelAssembler.Event e : assembler.feed(r.key(), r.value())) {
            if (e instanceof ModelAssembler.Complete c) {
              versions.add(c.model());
              if (newest == null || c.model().newerThan(newestAt, newest)) {
                newest = c.model().version();
                newestAt = c.model().createdAtMs();
                active = newest;
              }
            } else if (e instanceof ModelAssembler.Activate a) {
              activations.add(a);
              active = a.model().version();
            } else if (e instanceof ModelAssembler.Refused f) {
              refused.add(f);
            }
          }
        }
      }
    }
    return new History(versions, activations, refused, Optional.ofNullable(active));
  }

  private static void awaitAll(List<Future<RecordMetadata>> sent, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      for (Future<RecordMetadata> f : sent) {
        f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing to " + Topics.MODELS, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("publishing to " + Topics.MODELS + " failed: " + e, e);
    }
  }

  private static KafkaProducer<String, ModelVersion> producer(String bootstrap) {
    // One in flight keeps a version's chunks in order even across retries.
    Properties p = ClientProperties.idempotentProducer(bootstrap, "advrank-models-publisher");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024);
    return new KafkaProducer<>(
        p, Topics.MODELS.keySerde().serializer(), Topics.MODELS.valueSerde().serializer());
  }

  private static KafkaConsumer<String, ModelVersion> consumer(String bootstrap) {
    Properties p = ClientProperties.consumer(bootstrap, "advrank-models-reader");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return new KafkaConsumer<>(
        p, Topics.MODELS.keySerde().deserializer(), Topics.MODELS.valueSerde().deserializer());
  }
}
