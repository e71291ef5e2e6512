package io.advrank.runtime.kafka;

import io.advrank.runtime.topic.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Sends records that a service cannot process to {@link Topics#DEAD_LETTER} instead of crashing or
 * dropping them silently: bad input is kept for inspection and replay, and counted.
 *
 * <p>A dead letter keeps the original key, value and headers byte for byte and adds headers saying
 * why and where from ({@link #REASON}, {@link #SOURCE_TOPIC}, {@link #SOURCE_PARTITION}, {@link
 * #SOURCE_OFFSET}, {@link #SERVICE}, {@link #EXCEPTION_CLASS}, {@link #EXCEPTION_MESSAGE}; numbers
 * as decimal UTF-8 text). Each one increments {@code advrank_dead_letters_total{topic,reason}};
 * both labels are bounded: the topic is one of {@link Topics#all()} or {@code other}, the reason
 * one of {@link Reason}.
 */
public final class DeadLetters {
  /** Header: the {@link Reason}, lower case. */
  public static final String REASON = "advrank.dlq.reason";

  /** Header: the topic the record was read from. */
  public static final String SOURCE_TOPIC = "advrank.dlq.source.topic";

  /** Header: its partition. */
  public static final String SOURCE_PARTITION = "advrank.dlq.source.partition";

  /** Header: its offset. */
  public static final String SOURCE_OFFSET = "advrank.dlq.source.offset";

  /** Header: the service that gave up on it, e.g. {@code ranker}. */
  public static final String SERVICE = "advrank.dlq.service";

  /** Header: the exception's class name, when there was one. */
  public static final String EXCEPTION_CLASS = "advrank.dlq.exception.class";

  /** Header: the exception's message, cut to {@value #MAX_MESSAGE_CHARS} characters. */
  public static final String EXCEPTION_MESSAGE = "advrank.dlq.exception.message";

  private static final int MAX_MESSAGE_CHARS = 1000;

  /** Why a record was dead-lettered; a small fixed set because it is a metric label. */
  public enum Reason {
    /** The bytes are not the topic's message type (a deserialization failure). */
    MALFORMED,
    /** It parses but breaks a rule, e.g. a pixel count that does not match its shape. */
    INVALID,
    /** A version, shape or kind this service does not support. */
    UNSUPPORTED,
    /** Processing failed for this record even though it looked valid. */
    PROCESSING_FAILED;

    /** The header and label value, e.g. {@code processing_failed}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Producer<byte[], byte[]> producer;
  private final String service;
  private final MeterRegistry registry;

  /**
   * @param producer a producer for raw bytes; the caller owns it (it may be transactional)
   * @param service this service's name, written into every dead letter
   * @param registry where {@code advrank_dead_letters_total} is counted
   */
  public DeadLetters(Producer<byte[], byte[]> producer, String service, MeterRegistry registry) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.service = Objects.requireNonNull(service, "service");
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** Dead-letters a consumed record; {@code cause} may be null. */
  public Future<RecordMetadata> publish(
      ConsumerRecord<byte[], byte[]> record, Reason reason, Throwable cause) {
    return publish(
        record.topic(),
        record.partition(),
        record.offset(),
        record.key(),
        record.value(),
        record.headers(),
        reason,
        cause);
  }

  /** Dead-letters a record given by its parts (e.g. from a Streams error handler). */
  public Future<RecordMetadata> publish(
      String sourceTopic,
      int partition,
      long offset,
      byte[] key,
      byte[] value,
      Headers originalHeaders,
      Reason reason,
      Throwable cause) {
    ProducerRecord<byte[], byte[]> letter =
        toRecord(
            service, sourceTopic, partition, offset, key, value, originalHeaders, reason, cause);
    Counter.builder("advrank.dead.letters")
        .description("Records sent to the dead-letter topic")
        .tag("topic", Topics.byName(sourceTopic).isPresent() ? sourceTopic : "other")
        .tag("reason", reason.label())
        .register(registry)
        .increment();
    return producer.send(letter);
  }

  /** The dead-letter record, without sending it: for code that sends through its own producer. */
  public static ProducerRecord<byte[], byte[]> toRecord(
      String service,
      String sourceTopic,
      int partition,
      long offset,
      byte[] key,
      byte[] value,
      Headers originalHeaders,
      Reason reason,
      Throwable cause) {
    RecordHeaders headers = new RecordHeaders();
    if (originalHeaders != null) {
      for (Header h : originalHeaders) {
        headers.add(h);
      }
    }
    put(headers, REASON, reason.label());
    put(headers, SOURCE_TOPIC, sourceTopic);
    put(headers, SOURCE_PARTITION, Integer.toString(partition));
    put(headers, SOURCE_OFFSET, Long.toString(offset));
    put(headers, SERVICE, service);
    if (cause != null) {
      put(headers, EXCEPTION_CLASS, cause.getClass().getName());
      put(headers, EXCEPTION_MESSAGE, truncate(String.valueOf(cause.getMessage())));
    }
    return new ProducerRecord<>(Topics.DEAD_LETTER.name(), null, key, value, headers);
  }

  /** Reads a text header of a dead letter, or null when absent. */
  public static String header(Headers headers, String name) {
    Header h = headers.lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static void put(RecordHeaders headers, String name, String value) {
    // remove first: a record dead-lettered twice keeps only the latest reason.
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }

  private static String truncate(String s) {
    return s.length() <= MAX_MESSAGE_CHARS ? s : s.substring(0, MAX_MESSAGE_CHARS) + "…";
  }
}
