package io.advrank.attackworker;

import io.advrank.runtime.kafka.KafkaFailures;
import io.advrank.runtime.settings.SettingsException;
import io.advrank.runtime.settings.SettingsSource;
import io.advrank.runtime.topic.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;

/**
 * Keeps attack traffic off production: the attack-worker starts only when every topic it writes is
 * on an explicit allow-list ({@value #ALLOWED_TOPICS}) and the cluster it reaches is the one named
 * as staging ({@value #STAGING_CLUSTER_ID}, compared with the KRaft cluster id the brokers report).
 * Both are required settings, without defaults.
 *
 * @param allowedTopics the topics this worker may write; must hold all of {@link #WRITES}
 * @param stagingClusterId the id of the staging cluster, e.g. from {@code kafka-cluster.sh
 *     cluster-id} or {@code advrank broker}'s start line
 */
public record StagingFence(Set<String> allowedTopics, String stagingClusterId) {
  public static final String ALLOWED_TOPICS = "write.allowed-topics";
  public static final String STAGING_CLUSTER_ID = "staging.cluster.id";

  /** Every topic the attack-worker writes (its model feed dead-letters refused versions too). */
  public static final List<String> WRITES =
      List.of(
          Topics.CATALOG_DELIVERED.name(),
          Topics.QUERIES_DELIVERED.name(),
          Topics.ADVERSARIAL.name(),
          Topics.RANK_SHIFTS.name(),
          Topics.DEAD_LETTER.name());

  /** Checks that the allow-list covers every write; the message names what is missing. */
  public StagingFence {
    allowedTopics = Set.copyOf(allowedTopics);
    Objects.requireNonNull(stagingClusterId, STAGING_CLUSTER_ID);
    Set<String> missing = new TreeSet<>(WRITES);
    missing.removeAll(allowedTopics);
    if (!missing.isEmpty()) {
      throw new SettingsException(
          "setting '%s' must list every topic the attack-worker writes (%s); missing: %s"
              .formatted(ALLOWED_TOPICS, String.join(",", WRITES), String.join(",", missing)));
    }
    if (stagingClusterId.isBlank()) {
      throw new SettingsException("setting '" + STAGING_CLUSTER_ID + "' must not be empty");
    }
  }

  /** Reads both settings; each is required. */
  public static StagingFence from(SettingsSource source) {
    source.string(ALLOWED_TOPICS); // required: fails naming its flag, variable and file key
    return new StagingFence(
        Set.copyOf(source.list(ALLOWED_TOPICS, List.of())),
        source.string(STAGING_CLUSTER_ID).trim());
  }

  /**
   * The settings that fence a worker to a cluster its launcher started itself (the demo, {@code
   * cluster up}, the benches): all of {@link #WRITES}, and that cluster's id.
   */
  public static Map<String, String> settingsFor(String clusterId) {
    return Map.of(ALLOWED_TOPICS, String.join(",", WRITES), STAGING_CLUSTER_ID, clusterId);
  }

  /**
   * Asks the cluster for its id and refuses a cluster that is not the staging one.
   *
   * @throws SettingsException when the ids differ
   * @throws IllegalStateException when the cluster cannot be asked (one line, naming the cause)
   */
  public void verify(Admin admin, Duration timeout) {
    String actual;
    try {
      actual = admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking the cluster for its id", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "could not ask the cluster for its id: " + KafkaFailures.describe(e), e);
    }
    if (!stagingClusterId.equals(actual)) {
      throw new SettingsException(
          "refusing to attack: the cluster's id is %s, not the staging cluster's id in setting '%s' (%s)"
              .formatted(actual, STAGING_CLUSTER_ID, stagingClusterId));
    }
  }
}
