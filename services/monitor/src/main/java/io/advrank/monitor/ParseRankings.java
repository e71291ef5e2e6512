package io.advrank.monitor;

import io.advrank.proto.v1.RankingResult;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.kafka.DeadLetters.Reason;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.MalformedRecordException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Reads raw {@code advrank.rankings} records. A record that parses and makes sense goes on as a
 * {@link Parsed} with its ranking; anything else goes on without one and with the dead-letter
 * headers (reason, source, exception) added, for the dead-letter sink. Parsing here instead of in
 * the source's deserializer keeps bad data inside the topology, so the dead letter is written in
 * the same exactly-once transaction as the offsets that skip it.
 */
final class ParseRankings implements Processor<byte[], byte[], byte[], ParseRankings.Parsed> {
  /** A ranking, or (when null) a dead letter carrying the original value. */
  record Parsed(RankingResult ranking, byte[] raw) {}

  static final String SERVICE = "monitor";

  private final MonitorMetrics metrics;
  private ProcessorContext<byte[], Parsed> context;

  ParseRankings(MonitorMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<byte[], Parsed> context) {
    this.context = context;
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    metrics.event("rankings");
    String topic = Topics.RANKINGS.name();
    RankingResult ranking;
    try {
      ranking = Topics.RANKINGS.valueSerde().deserializer().deserialize(topic, record.value());
    } catch (MalformedRecordException e) {
      deadLetter(record, Reason.MALFORMED, e);
      return;
    }
    String problem = problem(ranking);
    if (problem != null) {
      deadLetter(record, Reason.INVALID, new IllegalArgumentException(problem));
      return;
    }
    context.forward(record.withValue(new Parsed(ranking, record.value())));
  }

  /** What makes a parsed ranking unusable, or null. */
  private static String problem(RankingResult r) {
    if (r == null) {
      return "a tombstone is not a ranking";
    }
    if (r.getQueryId().isEmpty()) {
      return "query_id is empty";
    }
    if (r.getGallerySize() == 0 && r.getHitsCount() > 0) {
      return "gallery_size is 0 but the ranking has hits";
    }
    if (r.getHitsCount() > r.getGallerySize()) {
      return "more hits (" + r.getHitsCount() + ") than gallery_size " + r.getGallerySize();
    }
    return null;
  }

  private void deadLetter(Record<byte[], byte[]> record, Reason reason, Exception cause) {
    RecordMetadata source = context.recordMetadata().orElse(null);
    ProducerRecord<byte[], byte[]> letter =
        DeadLetters.toRecord(
            SERVICE,
            source == null ? Topics.RANKINGS.name() : source.topic(),
            source == null ? -1 : source.partition(),
            source == null ? -1 : source.offset(),
            record.key(),
            record.value(),
            record.headers(),
            reason,
            cause);
    metrics.deadLetter(Topics.RANKINGS.name(), reason.label());
    context.forward(
        new Record<>(
            record.key(),
            new Parsed(null, record.value()),
            record.timestamp(),
            new RecordHeaders(letter.headers().toArray())));
  }
}
