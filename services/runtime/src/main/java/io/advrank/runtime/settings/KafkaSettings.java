package io.advrank.runtime.settings;

import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * How a service reaches Kafka: the settings every service shares. Services add their own keys to
 * {@link #KEYS} when building their {@link SettingsSource}.
 *
 * @param bootstrapServers comma-separated {@code host:port} list ({@code kafka.bootstrap.servers})
 * @param replicationFactor replication of topics this service creates ({@code
 *     kafka.replication.factor}): 1 for a single broker, typically 3 in a cluster
 * @param security TLS and SASL ({@code kafka.security.protocol}, {@code kafka.sasl.*}, {@code
 *     kafka.ssl.*}); see {@link KafkaSecurity}
 */
public record KafkaSettings(
    String bootstrapServers, short replicationFactor, KafkaSecurity security) {

  /** Key of {@link #bootstrapServers}. */
  public static final String BOOTSTRAP_SERVERS = "kafka.bootstrap.servers";

  /** Key of {@link #replicationFactor}. */
  public static final String REPLICATION_FACTOR = "kafka.replication.factor";

  /** Every key read by {@link #from}. */
  public static final Set<String> KEYS = keys();

  /** Settings of an unsecured (PLAINTEXT) cluster. */
  public KafkaSettings(String bootstrapServers, short replicationFactor) {
    this(bootstrapServers, replicationFactor, KafkaSecurity.PLAINTEXT);
  }

  /** Checks the values; messages name the setting and the bad value. */
  public KafkaSettings {
    Objects.requireNonNull(security, "security");
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new SettingsException(BOOTSTRAP_SERVERS + " must not be empty");
    }
    for (String server : bootstrapServers.split(",")) {
      if (!server.trim().matches("[^:\\s]+:\\d{1,5}")) {
        throw new SettingsException(
            "%s has bad entry '%s' in '%s': expected host:port[,host:port...]"
                .formatted(BOOTSTRAP_SERVERS, server.trim(), bootstrapServers));
      }
    }
    if (replicationFactor < 1) {
      throw new SettingsException(
          "%s must be at least 1, got %d".formatted(REPLICATION_FACTOR, replicationFactor));
    }
  }

  /** Reads the settings, defaulting to a local single broker. */
  public static KafkaSettings from(SettingsSource source) {
    int replication = source.intValue(REPLICATION_FACTOR, 1);
    if (replication < 1 || replication > Short.MAX_VALUE) {
      throw new SettingsException(
          "%s must be between 1 and %d, got %d (from %s)"
              .formatted(
                  REPLICATION_FACTOR,
                  Short.MAX_VALUE,
                  replication,
                  source.origin(REPLICATION_FACTOR)));
    }
    return new KafkaSettings(
        source.string(BOOTSTRAP_SERVERS, "localhost:9092"),
        (short) replication,
        KafkaSecurity.from(source));
  }

  private static Set<String> keys() {
    Set<String> keys = new HashSet<>(KafkaSecurity.KEYS);
    keys.add(BOOTSTRAP_SERVERS);
    keys.add(REPLICATION_FACTOR);
    return Set.copyOf(keys);
  }
}
