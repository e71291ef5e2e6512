package io.advrank.runtime.topic;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;

/**
 * One Kafka topic with everything needed to use it correctly: its name, the serdes of its key and
 * value, and how it is created (partitions, cleanup policy, extra topic configs).
 *
 * <p>Services get topics from {@link Topics} and never spell a topic name or pick a serde
 * themselves, so a topic cannot be read with a type it was not written with.
 *
 * @param <K> key type
 * @param <V> value type
 * @param name topic name, e.g. {@code advrank.catalog}
 * @param keySerde serde of the record key
 * @param valueSerde serde of the record value
 * @param partitions default partition count when the topic is created
 * @param cleanup retention style
 * @param configs further topic-level configs applied at creation (e.g. {@code retention.ms})
 */
public record Topic<K, V>(
    String name,
    Serde<K> keySerde,
    Serde<V> valueSerde,
    int partitions,
    Cleanup cleanup,
    Map<String, String> configs) {

  /** How Kafka discards old records of a topic. */
  public enum Cleanup {
    /** Delete segments older than the retention time: event streams. */
    DELETE(TopicConfig.CLEANUP_POLICY_DELETE),
    /** Keep the latest record per key: state such as model versions. */
    COMPACT(TopicConfig.CLEANUP_POLICY_COMPACT);

    private final String policy;

    Cleanup(String policy) {
      this.policy = policy;
    }

    /** The value of the {@code cleanup.policy} topic config. */
    public String policy() {
      return policy;
    }
  }

  /** Validates the definition; topic names follow Kafka's legal characters. */
  public Topic {
    Objects.requireNonNull(name, "name");
    if (!name.matches("[a-zA-Z0-9._-]{1,249}")) {
      throw new IllegalArgumentException("illegal topic name '" + name + "'");
    }
    Objects.requireNonNull(keySerde, "keySerde of " + name);
    Objects.requireNonNull(valueSerde, "valueSerde of " + name);
    Objects.requireNonNull(cleanup, "cleanup of " + name);
    if (partitions < 1) {
      throw new IllegalArgumentException(
          "partitions of " + name + " must be at least 1, got " + partitions);
    }
    configs = Map.copyOf(configs);
  }

  /**
   * The admin request that creates this topic with the given replication factor, and {@code
   * min.insync.replicas} by {@link #minInSyncReplicas} unless the topic sets its own.
   */
  public NewTopic newTopic(short replicationFactor) {
    Map<String, String> all = new HashMap<>(configs);
    all.put(TopicConfig.CLEANUP_POLICY_CONFIG, cleanup.policy());
    all.putIfAbsent(
        TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
        Integer.toString(minInSyncReplicas(replicationFactor)));
    return new NewTopic(name, partitions, replicationFactor).configs(all);
  }

  /**
   * Replicas that must have a write before acks=all succeeds: 2 from 3 replicas on (one broker may
   * be down and no acknowledged write lives on one disk only), else 1.
   */
  public static int minInSyncReplicas(int replicationFactor) {
    return replicationFactor >= 3 ? 2 : 1;
  }

  @Override
  public String toString() {
    return name;
  }
}
