package io.advrank.console;

import com.google.protobuf.InvalidProtocolBufferException;
import io.advrank.proto.v1.AdversarialVariant;
import io.advrank.proto.v1.AnomalyAlert;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ModelDecision;
import io.advrank.proto.v1.ModelVersion;
import io.advrank.proto.v1.RankShift;
import io.advrank.proto.v1.RankingResult;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.kafka.DeadLetters.Reason;
import io.advrank.runtime.topic.Topic;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.RejectedRecordException;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the pipeline's topics into a {@link ConsoleView} on one thread, in the console's own
 * consumer group, committing nothing: every start reads from the end of each event topic minus a
 * bounded look-back, and the compacted catalog and model topics from the beginning (their latest
 * record per key is the state the page needs: photos of ranked items, model versions).
 *
 * <p>A record that is not its topic's message type is dead-lettered as {@code malformed} with
 * service {@code console} and skipped; a tombstone on an event topic, or a record without the id
 * the view keeps it by (a query's key, a variant's, rank shift's or ranking's event, an alert's or
 * a version's id), and a decision not keyed by its candidate version or without its time, as {@code
 * invalid}. The console checks no pixels: it has no model to check them against, and the services
 * that do check them dead-letter such images themselves. Nothing a record holds stops the feed.
 */
final class ConsoleFeed implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConsoleFeed.class);

  /** Topics read from the beginning: compacted state. */
  static final List<Topic<?, ?>> STATE =
      List.of(Topics.CATALOG, Topics.CATALOG_DELIVERED, Topics.MODELS);

  /** Topics read from their end minus the look-back. */
  static final List<Topic<?, ?>> EVENTS =
      List.of(
          Topics.QUERIES,
          Topics.QUERIES_DELIVERED,
          Topics.ADVERSARIAL,
          Topics.RANK_SHIFTS,
          Topics.RANKINGS,
          Topics.ALERTS,
          Topics.MODEL_DECISIONS);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Producer<byte[], byte[]> deadLetterProducer;
  private final DeadLetters deadLetters;
  private final ConsoleView view;
  private final int lookBack;
  private volatile boolean running = true;
  private volatile Throwable failure;

  ConsoleFeed(ConsoleSettings settings, ConsoleView view, MeterRegistry registry) {
    String bootstrap = settings.kafka().bootstrapServers();
    Properties props = ClientProperties.byteConsumer(bootstrap, settings.groupId(), true);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    this.consumer = new KafkaConsumer<>(props);
    this.deadLetterProducer =
        new KafkaProducer<>(
            ClientProperties.idempotentProducer(bootstrap, settings.groupId() + "-dead-letters"));
    this.deadLetters = new DeadLetters(deadLetterProducer, "console", registry);
    this.view = view;
    this.lookBack = settings.lookBack();
  }

  /** Why the feed stopped, if it failed (the page shows it; the server keeps serving). */
  Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  @Override
  public void run() {
    List<String> names = new ArrayList<>();
    STATE.forEach(t -> names.add(t.name()));
    EVENTS.forEach(t -> names.add(t.name()));
    try {
      consumer.subscribe(names, new SeekOnAssign());
      while (running) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          handle(record);
        }
      }
    } catch (WakeupException e) {
      if (running) {
        failure = e;
      }
    } catch (RuntimeException e) {
      failure = e;
      LOG.error("console feed stopped: {}", e.toString());
    } finally {
      consumer.close(Duration.ofSeconds(5));
      deadLetterProducer.close(Duration.ofSeconds(5));
    }
  }

  private void handle(ConsumerRecord<byte[], byte[]> record) {
    view.count(record.topic());
    String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    try {
      dispatch(view, record.topic(), key, record.value());
    } catch (InvalidProtocolBufferException e) {
      deadLetters.publish(record, DeadLetters.Reason.MALFORMED, e);
    } catch (RejectedRecordException e) {
      deadLetters.publish(record, e.reason(), e);
    } catch (RuntimeException e) {
      // A record this view cannot hold is the record's problem, not the feed's.
      deadLetters.publish(record, DeadLetters.Reason.PROCESSING_FAILED, e);
    }
  }

  /**
   * Parses one record into {@code view}; {@code key} null is a record without a key, {@code value}
   * null a tombstone (a deletion on the catalog topics, ignored on the model topic, {@code invalid}
   * elsewhere).
   */
  static void dispatch(ConsoleView view, String topic, String key, byte[] value)
      throws InvalidProtocolBufferException, RejectedRecordException {
    if (topic.equals(Topics.CATALOG.name()) || topic.equals(Topics.CATALOG_DELIVERED.name())) {
      boolean delivered = topic.equals(Topics.CATALOG_DELIVERED.name());
      view.catalog(
          key == null ? "" : key, value == null ? null : ImageEvent.parseFrom(value), delivered);
    } else if (value == null) {
      if (!topic.equals(Topics.MODELS.name())) { // a model tombstone retires a version
        throw new RejectedRecordException(Reason.INVALID, "tombstone on an event topic", null);
      }
    } else if (topic.equals(Topics.QUERIES.name())
        || topic.equals(Topics.QUERIES_DELIVERED.name())) {
      ImageEvent query = ImageEvent.parseFrom(value);
      view.query(
          required(key, "record key (the query id)"), query, !topic.equals(Topics.QUERIES.name()));
    } else if (topic.equals(Topics.ADVERSARIAL.name())) {
      AdversarialVariant v = AdversarialVariant.parseFrom(value);
      required(v.getOriginalEventId(), "original_event_id");
      view.adversarial(required(key, "record key (the attacked item or query)"), v);
    } else if (topic.equals(Topics.RANK_SHIFTS.name())) {
      RankShift shift = RankShift.parseFrom(value);
      required(shift.getOriginalEventId(), "original_event_id");
      view.rankShift(shift);
    } else if (topic.equals(Topics.RANKINGS.name())) {
      RankingResult ranking = RankingResult.parseFrom(value);
      required(ranking.getQueryId(), "query_id");
      view.ranking(ranking);
    } else if (topic.equals(Topics.ALERTS.name())) {
      AnomalyAlert alert = AnomalyAlert.parseFrom(value);
      required(alert.getAlertId(), "alert_id");
      view.alert(alert);
    } else if (topic.equals(Topics.MODELS.name())) {
      ModelVersion version = ModelVersion.parseFrom(value);
      required(version.getVersion(), "version");
      view.modelVersion(key, version);
    } else if (topic.equals(Topics.MODEL_DECISIONS.name())) {
      view.decision(decision(key, ModelDecision.parseFrom(value)));
    } else {
      throw new IllegalStateException("not a topic of the console: " + topic);
    }
  }

  /**
   * {@code d}, unless it breaks the topic's contract: the defense-trainer keys each decision by its
   * candidate version and always stamps it. Another message parses as a decision more often than
   * not (protobuf skips fields of the wrong wire type), and then has neither.
   */
  private static ModelDecision decision(String key, ModelDecision d)
      throws RejectedRecordException {
    String candidate = required(d.getCandidateVersion(), "candidate_version");
    if (!candidate.equals(required(key, "record key (the candidate version)"))) {
      throw new RejectedRecordException(
          Reason.INVALID, "record key " + key + " is not the candidate version " + candidate, null);
    }
    if (d.getDecidedAtMs() <= 0) {
      throw new RejectedRecordException(Reason.INVALID, "decided_at_ms is missing", null);
    }
    return d;
  }

  /** {@code id}, unless it is missing: the view keeps the record by it. */
  private static String required(String id, String what) throws RejectedRecordException {
    if (id == null || id.isEmpty()) {
      throw new RejectedRecordException(Reason.INVALID, what + " is missing", null);
    }
    return id;
  }

  /** Positions each newly assigned partition: state from the start, events near the end. */
  private final class SeekOnAssign implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      List<TopicPartition> events = new ArrayList<>();
      List<TopicPartition> state = new ArrayList<>();
      for (TopicPartition p : partitions) {
        (STATE.stream().anyMatch(t -> t.name().equals(p.topic())) ? state : events).add(p);
      }
      consumer.seekToBeginning(state);
      Map<TopicPartition, Long> end = consumer.endOffsets(events);
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(events);
      Map<TopicPartition, Long> start = new HashMap<>();
      for (TopicPartition p : events) {
        start.put(p, Math.max(begin.getOrDefault(p, 0L), end.getOrDefault(p, 0L) - lookBack));
      }
      start.forEach(consumer::seek);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}
  }

  /** Stops the loop; {@link #run} then closes the clients. */
  @Override
  public void close() {
    running = false;
    consumer.wakeup();
  }
}
