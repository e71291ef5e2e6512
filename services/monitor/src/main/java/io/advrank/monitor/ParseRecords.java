package io.advrank.monitor;

import com.google.protobuf.Message;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.kafka.DeadLetters.Reason;
import io.advrank.runtime.topic.Topic;
import io.advrank.runtime.wire.MalformedRecordException;
import java.util.function.Function;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Reads raw records of an input topic. A record that parses and makes sense goes on as a {@link
 * Parsed} with its message; anything else goes on without one and with the dead-letter headers
 * (reason, source, exception) added, for the dead-letter sink. Parsing here instead of in the
 * source's deserializer keeps bad data inside the topology, so the dead letter is written in the
 * same exactly-once transaction as the offsets that skip it.
 */
final class ParseRecords<T extends Message>
    implements Processor<byte[], byte[], byte[], ParseRecords.Parsed<T>> {
  /** A message, or (when null) a dead letter carrying the original value. */
  record Parsed<T>(T value, byte[] raw) {}

  static final String SERVICE = "monitor";

  private final Topic<String, T> topic;
  private final String stream;
  private final Function<T, String> problem;
  private final MonitorMetrics metrics;
  private ProcessorContext<byte[], Parsed<T>> context;

  /**
   * @param stream the {@code stream} label of the events metric
   * @param problem what makes a parsed message unusable, or null when it is fine
   */
  ParseRecords(
      Topic<String, T> topic, String stream, Function<T, String> problem, MonitorMetrics metrics) {
    this.topic = topic;
    this.stream = stream;
    this.problem = problem;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<byte[], Parsed<T>> context) {
    this.context = context;
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    metrics.event(stream);
    if (record.value() == null) {
      deadLetter(record, Reason.INVALID, new IllegalArgumentException("a tombstone is no event"));
      return;
    }
    T value;
    try {
      value = topic.valueSerde().deserializer().deserialize(topic.name(), record.value());
    } catch (MalformedRecordException e) {
      deadLetter(record, Reason.MALFORMED, e);
      return;
    }
    String wrong = problem.apply(value);
    if (wrong != null) {
      deadLetter(record, Reason.INVALID, new IllegalArgumentException(wrong));
      return;
    }
    context.forward(record.withValue(new Parsed<>(value, record.value())));
  }

  private void deadLetter(Record<byte[], byte[]> record, Reason reason, Exception cause) {
    RecordMetadata source = context.recordMetadata().orElse(null);
    ProducerRecord<byte[], byte[]> letter =
        DeadLetters.toRecord(
            SERVICE,
            source == null ? topic.name() : source.topic(),
            source == null ? -1 : source.partition(),
            source == null ? -1 : source.offset(),
            record.key(),
            record.value(),
            record.headers(),
            reason,
            cause);
    metrics.deadLetter(topic.name(), reason.label());
    context.forward(
        new Record<>(
            record.key(),
            new Parsed<T>(null, record.value()),
            record.timestamp(),
            new RecordHeaders(letter.headers().toArray())));
  }
}
