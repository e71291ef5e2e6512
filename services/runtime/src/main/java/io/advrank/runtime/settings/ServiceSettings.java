package io.advrank.runtime.settings;

/** What every service's settings hold besides its own: where Kafka is, and the metrics port. */
public interface ServiceSettings {
  /** The cluster, its security and the replication of the topics the service creates. */
  KafkaSettings kafka();

  /** Port of {@code /metrics} and {@code /health}; 0 picks a free one. */
  int metricsPort();

  /** The {@code metrics.port} setting, with this service's default port. */
  static Setting<Integer> metricsPortSetting(int defaultPort) {
    return Setting.integer(
        "metrics.port", defaultPort, 0, 65535, "port of /metrics and /health; 0 picks a free one");
  }
}
