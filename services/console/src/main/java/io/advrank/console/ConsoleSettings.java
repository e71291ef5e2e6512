package io.advrank.console;

import io.advrank.runtime.http.HttpAccess;
import io.advrank.runtime.model.ModelSigning;
import io.advrank.runtime.model.ModelTrust;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.settings.ServiceSettings;
import io.advrank.runtime.settings.Setting;
import io.advrank.runtime.settings.SettingsRules;
import io.advrank.runtime.settings.SettingsSource;
import io.advrank.runtime.settings.SettingsTable;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Everything the console needs, validated once at start-up: each component is the setting declared
 * below under the same name ({@link #TABLE}); messages name the setting and the bad value.
 *
 * @param kafka how to reach Kafka
 * @param token the bearer token the page and its data require ({@value HttpAccess#TOKEN}, shared
 *     with the monitor's interactive queries, which the console then calls with it); empty = none,
 *     fine on loopback. A secret: never logged, not in {@link #toString()}.
 * @param modelTrust keys a model version must be signed by to be listed as servable ({@value
 *     ModelSigning#TRUSTED_KEYS}, as the model feeds'); none = signatures not checked
 */
public record ConsoleSettings(
    String host,
    int port,
    String monitorUrl,
    String groupId,
    int lookBack,
    KafkaSettings kafka,
    Optional<String> token,
    ModelTrust modelTrust) {

  /** The default group's prefix, followed by 8 random hex digits (a PREFIXED group ACL). */
  public static final String GROUP_PREFIX = "advrank-console-";

  public static final Setting<String> HOST =
      Setting.text(
          "console.host",
          "127.0.0.1",
          "\\S+",
          "must not be empty (e.g. 127.0.0.1 or 0.0.0.0)",
          "address the page is served on; loopback by default, since the page shows every photo"
              + " in the pipeline");
  public static final Setting<Integer> PORT =
      Setting.integer("console.port", 9430, 0, 65535, "port of the page; 0 picks a free one");
  private static final String URL_RULE = "must be an http:// or https:// URL or empty";

  public static final Setting<String> MONITOR_URL =
      Setting.parsed(
              "console.monitor.url",
              "",
              (key, text) -> checkedUrl(trimmed(text)),
              URL_RULE,
              "base URL of the monitor's interactive queries, e.g. http://localhost:9420; empty ="
                  + " none (the page then shows no drifting items)")
          .where(ConsoleSettings::isHttpUrlOrEmpty, URL_RULE);
  public static final Setting<String> GROUP_ID =
      Setting.parsed(
              "console.group.id",
              "",
              (key, text) -> text.isEmpty() ? defaultGroupId() : text,
              SettingsRules.NAME_RULE,
              "the console's own consumer group; empty = "
                  + GROUP_PREFIX
                  + " and 8 random hex"
                  + " digits, a new one per start")
          .where(SettingsRules::isName, SettingsRules.NAME_RULE);
  public static final Setting<Integer> LOOK_BACK =
      Setting.integer(
          "console.look-back",
          200,
          0,
          100_000,
          "records per partition read back from the end of each event topic at start (compacted"
              + " topics, catalog and models, are read from the beginning)");
  public static final Setting<Integer> METRICS_PORT = ServiceSettings.metricsPortSetting(9415);

  /** Default port of the page. */
  public static final int DEFAULT_PORT = PORT.defaultValue();

  /** Default of {@link #METRICS_PORT}. */
  public static final int DEFAULT_METRICS_PORT = METRICS_PORT.defaultValue();

  /** The console's settings, declared once; Kafka's and HTTP's by key. */
  public static final SettingsTable TABLE =
      SettingsTable.of("console", HOST, PORT, MONITOR_URL, GROUP_ID, LOOK_BACK, METRICS_PORT)
          .with("Kafka", KafkaSettings.KEYS)
          .with("HTTP", HttpAccess.KEYS)
          .with("model trust", ModelSigning.CONSUMER_KEYS);

  /** Every key this service reads, Kafka's included. */
  public static final Set<String> KEYS = TABLE.keys();

  /** Checks ranges; every message names the setting and the value. */
  public ConsoleSettings {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(token, "token");
    modelTrust = modelTrust == null ? ModelTrust.NONE : modelTrust;
    HOST.check(host);
    PORT.check(port);
    monitorUrl = MONITOR_URL.check(trimmed(monitorUrl));
    GROUP_ID.check(groupId);
    LOOK_BACK.check(lookBack);
  }

  /** Reads the settings from flags, environment and file, with defaults for a local demo. */
  public static ConsoleSettings from(SettingsSource source) {
    return new ConsoleSettings(
        HOST.read(source),
        PORT.read(source),
        MONITOR_URL.read(source),
        GROUP_ID.read(source),
        LOOK_BACK.read(source),
        KafkaSettings.from(source),
        HttpAccess.from(source).token(),
        ModelSigning.trustFrom(source));
  }

  /** {@link #METRICS_PORT} from {@code source}, checked: 0..65535. */
  public static int metricsPort(SettingsSource source) {
    return METRICS_PORT.read(source);
  }

  /** The URL without blanks and trailing slashes; "" for none. */
  private static String trimmed(String url) {
    return url == null ? "" : url.strip().replaceAll("/+$", "");
  }

  /** A user's URL: refused with the rule as the reason (named with the text by the setting). */
  private static String checkedUrl(String url) {
    if (!isHttpUrlOrEmpty(url)) {
      throw new IllegalArgumentException(URL_RULE);
    }
    return url;
  }

  private static boolean isHttpUrlOrEmpty(String url) {
    return url.isEmpty() || isHttpUrl(url);
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
}
