package io.advrank.cli.cluster;

import io.advrank.runtime.topic.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * What a running cluster looks like from an admin client: brokers, every advrank topic's partitions
 * with leader and in-sync replicas, and each consumer group's lag (log end offset minus committed
 * offset, summed over its partitions).
 */
final class ClusterInspector implements AutoCloseable {
  /** How long one admin call may take by default: short, for the chaos run's 1 s samples. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  /** One partition: its leader's node id (-1: none) and in-sync replicas. */
  record PartitionState(String topic, int partition, int leader, List<Integer> isr, int replicas) {}

  private final Admin admin;
  private final long timeoutMs;

  ClusterInspector(String bootstrapServers) {
    this(bootstrapServers, DEFAULT_TIMEOUT);
  }

  /** An inspector whose every call waits at most {@code timeout} for the cluster's answer. */
  ClusterInspector(String bootstrapServers, Duration timeout) {
    this.timeoutMs = timeout.toMillis();
    this.admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeoutMs,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) (timeoutMs * 8 / 5)));
  }

  Admin admin() {
    return admin;
  }

  /** Node ids of the live brokers. */
  List<Integer> liveBrokers() throws Exception {
    List<Integer> ids = new ArrayList<>();
    for (Node n : admin.describeCluster().nodes().get(timeoutMs, TimeUnit.MILLISECONDS)) {
      ids.add(n.id());
    }
    ids.sort(Integer::compare);
    return ids;
  }

  /** Every partition of every advrank topic that exists (none before {@code up} created them). */
  List<PartitionState> partitions() throws Exception {
    Set<String> names = new TreeSet<>(Topics.names());
    names.retainAll(admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS));
    Map<String, TopicDescription> topics =
        new TreeMap<>(
            admin.describeTopics(names).allTopicNames().get(timeoutMs, TimeUnit.MILLISECONDS));
    List<PartitionState> out = new ArrayList<>();
    for (TopicDescription d : topics.values()) {
      for (TopicPartitionInfo p : d.partitions()) {
        int leader = p.leader() == null || p.leader().isEmpty() ? -1 : p.leader().id();
        out.add(
            new PartitionState(
                d.name(),
                p.partition(),
                leader,
                p.isr().stream().map(Node::id).sorted().toList(),
                p.replicas().size()));
      }
    }
    return out;
  }

  /** Lag per consumer group (groups without committed offsets count 0). */
  Map<String, Long> lagByGroup() throws Exception {
    Map<String, Long> out = new TreeMap<>();
    for (GroupListing g : admin.listGroups().all().get(timeoutMs, TimeUnit.MILLISECONDS)) {
      out.put(g.groupId(), lag(g.groupId()));
    }
    return out;
  }

  /** The summed lag of all groups, or empty if the cluster did not answer in time. */
  Optional<Long> totalLag() {
    try {
      return Optional.of(lagByGroup().values().stream().mapToLong(Long::longValue).sum());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  /** The node that coordinates {@code group}, if the cluster knows the group. */
  Optional<Integer> coordinator(String group) {
    try {
      return Optional.ofNullable(
              admin
                  .describeConsumerGroups(List.of(group))
                  .all()
                  .get(timeoutMs, TimeUnit.MILLISECONDS)
                  .get(group)
                  .coordinator())
          .map(Node::id);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (ExecutionException | TimeoutException e) {
      return Optional.empty();
    }
  }

  /** Summed end offsets of a topic's partitions (a count of records and transaction markers). */
  long endOffsets(String topic) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (TopicPartitionInfo p :
        admin
            .describeTopics(List.of(topic))
            .allTopicNames()
            .get(timeoutMs, TimeUnit.MILLISECONDS)
            .get(topic)
            .partitions()) {
      latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
    }
    return admin.listOffsets(latest).all().get(timeoutMs, TimeUnit.MILLISECONDS).values().stream()
        .mapToLong(i -> i.offset())
        .sum();
  }

  /** A consumer group's lag: log end offset minus committed offset, over its partitions. */
  long lag(String group) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin
            .listConsumerGroupOffsets(group)
            .partitionsToOffsetAndMetadata()
            .get(timeoutMs, TimeUnit.MILLISECONDS);
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    committed.forEach(
        (tp, o) -> {
          if (o != null) {
            latest.put(tp, OffsetSpec.latest());
          }
        });
    if (latest.isEmpty()) {
      return 0;
    }
    var ends = admin.listOffsets(latest).all().get(timeoutMs, TimeUnit.MILLISECONDS);
    long lag = 0;
    for (var e : latest.keySet()) {
      lag += Math.max(0, ends.get(e).offset() - committed.get(e).offset());
    }
    return lag;
  }

  @Override
  public void close() {
    admin.close();
  }
}
