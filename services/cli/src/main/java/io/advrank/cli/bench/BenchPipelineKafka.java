package io.advrank.cli.bench;

import io.advrank.proto.v1.ImageEvent;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.topic.Topic;
import io.advrank.runtime.topic.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * The bench's own Kafka plumbing, built in one place: a producer that plays sellers and shoppers,
 * {@code read_committed} consumers that follow an output topic from its current end, and consumer
 * groups started at chosen offsets so that the services under test process only this run's events
 * (on a shared cluster the topics may hold older traffic).
 */
final class BenchPipelineKafka implements AutoCloseable {
  private final String bootstrap;
  private final Admin admin;
  private final Producer<String, ImageEvent> producer;

  BenchPipelineKafka(String bootstrap) {
    this.bootstrap = bootstrap;
    this.admin = Admin.create(ClientProperties.admin(bootstrap, "advrank-bench-pipeline-admin"));
    Properties p = ClientProperties.secured(new Properties());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "advrank-bench-pipeline");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    // No linger: a query's latency starts at produced_at_ms, so it must leave at once.
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    this.producer =
        new KafkaProducer<>(
            p, Topics.CATALOG.keySerde().serializer(), Topics.CATALOG.valueSerde().serializer());
  }

  Admin admin() {
    return admin;
  }

  /** Sends an image event keyed by its item (catalog) or query id, as the producer service does. */
  void send(Topic<String, ImageEvent> topic, ImageEvent event) {
    producer.send(new ProducerRecord<>(topic.name(), event.getItemId(), event));
  }

  void flush() {
    producer.flush();
  }

  /**
   * A {@code read_committed} consumer of {@code topic}, assigned all its partitions at their
   * current end, so it sees only what is written from now on and never an aborted transaction.
   */
  <V> Consumer<String, V> tail(Topic<String, V> topic) throws Exception {
    Properties p = ClientProperties.consumer(bootstrap, "advrank-bench-pipeline-" + topic.name());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    Consumer<String, V> c =
        new KafkaConsumer<>(p, topic.keySerde().deserializer(), topic.valueSerde().deserializer());
    Map<TopicPartition, Long> end = endOffsets(List.of(topic));
    c.assign(end.keySet());
    end.forEach(c::seek);
    return c;
  }

  /** The current end offset of every partition of the given topics. */
  Map<TopicPartition, Long> endOffsets(List<Topic<?, ?>> topics) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    var descriptions =
        admin.describeTopics(topics.stream().map(Topic::name).toList()).allTopicNames().get();
    descriptions.forEach(
        (name, d) ->
            d.partitions()
                .forEach(
                    p -> latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
    Map<TopicPartition, Long> out = new HashMap<>();
    admin.listOffsets(latest).all().get().forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }

  /** Commits {@code offsets} for a group that has no members yet: where its consumers start. */
  void startGroupAt(String groupId, Map<TopicPartition, Long> offsets) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
    offsets.forEach((tp, o) -> committed.put(tp, new OffsetAndMetadata(o)));
    admin.alterConsumerGroupOffsets(groupId, committed).all().get(30, TimeUnit.SECONDS);
  }

  /**
   * Waits until {@code groupId} is stable with partitions assigned: events sent before that would
   * wait for the rebalance and be timed as pipeline latency.
   */
  void awaitAssigned(String groupId, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!assigned(groupId)) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException(
            "consumer group " + groupId + " got no partitions in " + timeout);
      }
      Thread.sleep(50);
    }
  }

  /** Waits until {@code groupId} is stable with {@code members} members that hold partitions. */
  void awaitMembers(String groupId, int members, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      ConsumerGroupDescription d =
          admin.describeConsumerGroups(List.of(groupId)).describedGroups().get(groupId).get();
      long holding =
          d.members().stream().filter(m -> !m.assignment().topicPartitions().isEmpty()).count();
      if (d.groupState() == GroupState.STABLE && holding >= members) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException(
            "consumer group " + groupId + ": " + holding + " of " + members + " members assigned");
      }
      Thread.sleep(100);
    }
  }

  private boolean assigned(String groupId) throws InterruptedException, ExecutionException {
    ConsumerGroupDescription d;
    try {
      d = admin.describeConsumerGroups(List.of(groupId)).describedGroups().get(groupId).get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return false; // its first member has not joined yet
      }
      throw e;
    }
    return d.groupState() == GroupState.STABLE
        && d.members().stream().anyMatch(m -> !m.assignment().topicPartitions().isEmpty());
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
    admin.close();
  }
}
