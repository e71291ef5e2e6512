package io.advrank.console;

import io.advrank.runtime.http.HttpAccess;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.settings.SettingsException;
import io.advrank.runtime.settings.SettingsSource;
import java.net.URI;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Everything the console needs, validated once at start-up; messages name the setting and the bad
 * value.
 *
 * @param host address the page is served on ({@value #HOST}); loopback by default, since the page
 *     shows every photo in the pipeline
 * @param port port of the page ({@value #PORT}); 0 = any free port
 * @param monitorUrl base URL of the monitor's interactive queries ({@value #MONITOR_URL}), e.g.
 *     {@code http://localhost:9420}; empty = none (the page then shows no drifting items)
 * @param groupId the console's own consumer group ({@value #GROUP_ID}); by default {@code
 *     advrank-console-} and 8 random hex digits, a new one per start
 * @param lookBack records per partition read back from the end of each event topic at start
 *     ({@value #LOOK_BACK}); compacted topics (catalog, models) are read from the beginning
 * @param kafka how to reach Kafka
 * @param token the bearer token the page and its data require ({@value HttpAccess#TOKEN}, shared
 *     with the monitor's interactive queries, which the console then calls with it); empty = none,
 *     fine on loopback. A secret: never logged, not in {@link #toString()}.
 */
public record ConsoleSettings(
    String host,
    int port,
    String monitorUrl,
    String groupId,
    int lookBack,
    KafkaSettings kafka,
    Optional<String> token) {

  public static final String HOST = "console.host";
  public static final String PORT = "console.port";
  public static final String MONITOR_URL = "console.monitor.url";
  public static final String GROUP_ID = "console.group.id";

  /** The default group's prefix, followed by 8 random hex digits (a PREFIXED group ACL). */
  public static final String GROUP_PREFIX = "advrank-console-";

  public static final String LOOK_BACK = "console.look-back";

  /** Default port of the page. */
  public static final int DEFAULT_PORT = 9430;

  /**
   * Port of {@code /health} and {@code /metrics} when the console runs as a service ({@link
   * ConsoleMain}), next to the other services' 9410-9414; 0 = any free port.
   */
  public static final String METRICS_PORT = "metrics.port";

  /** Default of {@value #METRICS_PORT}. */
  public static final int DEFAULT_METRICS_PORT = 9415;

  /** Every key this service reads, Kafka's included. */
  public static final Set<String> KEYS = keys();

  /** Checks ranges; every message names the setting and the value. */
  public ConsoleSettings {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(token, "token");
    if (host == null || host.isBlank()) {
      throw new SettingsException(HOST + " must not be empty (e.g. 127.0.0.1 or 0.0.0.0)");
    }
    if (port < 0 || port > 65535) {
      throw new SettingsException(PORT + " must be 0..65535, got " + port);
    }
    monitorUrl = monitorUrl == null ? "" : monitorUrl.strip().replaceAll("/+$", "");
    if (!monitorUrl.isEmpty() && !isHttpUrl(monitorUrl)) {
      throw new SettingsException(
          MONITOR_URL + " must be an http:// or https:// URL or empty, got '" + monitorUrl + "'");
    }
    if (groupId == null || !groupId.matches("[A-Za-z0-9._-]{1,128}")) {
      throw new SettingsException(
          GROUP_ID + " must be 1..128 of [A-Za-z0-9._-], got '" + groupId + "'");
    }
    if (lookBack < 0 || lookBack > 100_000) {
      throw new SettingsException(LOOK_BACK + " must be 0..100000, got " + lookBack);
    }
  }

  /** Reads the settings from flags, environment and file, with defaults for a local demo. */
  public static ConsoleSettings from(SettingsSource source) {
    return new ConsoleSettings(
        source.string(HOST, "127.0.0.1"),
        source.intValue(PORT, DEFAULT_PORT),
        source.string(MONITOR_URL, ""),
        source.string(GROUP_ID, defaultGroupId()),
        source.intValue(LOOK_BACK, 200),
        KafkaSettings.from(source),
        HttpAccess.from(source).token());
  }

  /** {@value #METRICS_PORT} from {@code source}, checked: 0..65535. */
  public static int metricsPort(SettingsSource source) {
    int port = source.intValue(METRICS_PORT, DEFAULT_METRICS_PORT);
    if (port < 0 || port > 65535) {
      throw new SettingsException(METRICS_PORT + " must be 0..65535, got " + port);
    }
    return port;
  }

  /**
   * A group of this console's own: it commits nothing, and two consoles sharing one group would
   * each see only the partitions the group gave it.
   */
  private static String defaultGroupId() {
    return GROUP_PREFIX + UUID.randomUUID().toString().substring(0, 8);
  }

  private static boolean isHttpUrl(String url) {
    try {
      URI uri = URI.create(url);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Without the token's value. */
  @Override
  public String toString() {
    return "ConsoleSettings[host=%s, port=%d, monitorUrl=%s, groupId=%s, lookBack=%d, kafka=%s, token=%s]"
        .formatted(
            host, port, monitorUrl, groupId, lookBack, kafka, token.isPresent() ? "set" : "none");
  }

  private static Set<String> keys() {
    Set<String> keys = new HashSet<>(KafkaSettings.KEYS);
    keys.addAll(HttpAccess.KEYS);
    keys.addAll(Set.of(HOST, PORT, MONITOR_URL, GROUP_ID, LOOK_BACK, METRICS_PORT));
    return Set.copyOf(keys);
  }
}
