package io.advrank.monitor;

import io.advrank.runtime.http.HttpAccess;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.settings.ServiceSettings;
import io.advrank.runtime.settings.Setting;
import io.advrank.runtime.settings.SettingsSource;
import io.advrank.runtime.settings.SettingsTable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the monitor needs, validated once at start-up: each component is the setting declared
 * below under the same name ({@link #TABLE}); messages name the setting and the bad value.
 *
 * @param kafka how to reach Kafka
 * @param modelDir {@code null} for none
 */
public record MonitorSettings(
    String applicationId,
    Duration window,
    int calibrationEvents,
    int calibrationWindows,
    double falsePositiveRate,
    double driftFalsePositiveRate,
    double driftAlpha,
    int alertRetentionWindows,
    Path stateDir,
    int metricsPort,
    int queryPort,
    KafkaSettings kafka,
    String calibrationSource,
    Path modelDir)
    implements ServiceSettings {

  /** {@value}: thresholds from the scoring version's manifest when it has them. */
  public static final String SOURCE_MANIFEST = "manifest";

  /** {@value}: thresholds from live traffic only. */
  public static final String SOURCE_LIVE = "live";

  public static final Setting<String> APPLICATION_ID =
      Setting.name(
          "application.id",
          "advrank-monitor",
          "Kafka Streams application id: consumer group, state and internal topic prefix");
  public static final Setting<Duration> WINDOW =
      Setting.positiveDuration(
          "window.size",
          Duration.ofSeconds(30),
          Duration.ofDays(1),
          "length of the tumbling windows that drift is counted over and alerts are deduplicated"
              + " per");
  public static final Setting<Integer> CALIBRATION_EVENTS =
      Setting.integer(
          "calibration.events",
          1000,
          10,
          100_000,
          "benign rankings whose consistency scores calibrate the query-hijack threshold before"
              + " it alerts");
  public static final Setting<Integer> CALIBRATION_WINDOWS =
      Setting.integer(
          "calibration.windows",
          3,
          1,
          1000,
          "windows whose item drift scores calibrate the rank-drift thresholds before they alert");
  public static final Setting<Double> FALSE_POSITIVE_RATE =
      Setting.decimal(
          "calibration.fpr",
          0.005,
          v -> v > 0 && v < 0.5,
          "in (0, 0.5)",
          "the share of benign scores allowed above a threshold: thresholds are the (1 - rate)"
              + " quantile of the calibration scores");
  public static final Setting<Double> DRIFT_FALSE_POSITIVE_RATE =
      Setting.decimal(
          "drift.fpr",
          0.00025,
          v -> v > 0 && v < 0.5,
          "in (0, 0.5)",
          "the same for the rank-drift thresholds, per item and window; lower because every"
              + " catalog item is judged in every window");
  public static final Setting<Double> DRIFT_ALPHA =
      Setting.decimal(
          "drift.alpha",
          0.3,
          v -> v > 0 && v <= 1,
          "in (0, 1]",
          "weight of the newest window in an item's EWMA baseline");
  public static final Setting<Integer> ALERT_RETENTION_WINDOWS =
      Setting.integer(
          "alert.retention.windows",
          20,
          1,
          10_000,
          "how many windows alerts are kept for deduplication and /alerts");
  public static final Setting<Path> STATE_DIR =
      Setting.path(
          "state.dir",
          Path.of(System.getProperty("java.io.tmpdir"), "advrank-monitor"),
          "where Kafka Streams keeps local state");
  public static final Setting<Integer> METRICS_PORT = ServiceSettings.metricsPortSetting(9413);
  public static final Setting<Integer> QUERY_PORT =
      Setting.integer(
          "query.port",
          9420,
          0,
          65535,
          "port of the interactive queries (/drift?item=ID, /alerts); 0 picks a free one");
  public static final Setting<String> CALIBRATION_SOURCE =
      Setting.oneOf(
          "calibration.source",
          SOURCE_MANIFEST,
          List.of(SOURCE_MANIFEST, SOURCE_LIVE),
          "where the score detectors' thresholds come from: manifest (those of the model version"
              + " that scored the event, calibrated on clean data when it was made; live"
              + " calibration for a version without them) or live (always calibrate on the first"
              + " calibration.events live scores)");
  public static final Setting<Path> MODEL_DIR =
      Setting.parsed(
          "model.dir",
          "",
          (key, text) -> text.isEmpty() ? null : Path.of(text),
          "must be a path or empty",
          "the model the services start with, whose manifest gives the base version's thresholds"
              + " (later versions' come from advrank.models); empty for none");

  /** Default port of the monitor's metrics endpoint. */
  public static final int DEFAULT_METRICS_PORT = METRICS_PORT.defaultValue();

  /** Default port of the monitor's interactive queries. */
  public static final int DEFAULT_QUERY_PORT = QUERY_PORT.defaultValue();

  /** The monitor's settings, declared once; Kafka's and HTTP's by key. */
  public static final SettingsTable TABLE =
      SettingsTable.of(
              "monitor",
              APPLICATION_ID,
              WINDOW,
              CALIBRATION_EVENTS,
              CALIBRATION_WINDOWS,
              FALSE_POSITIVE_RATE,
              DRIFT_FALSE_POSITIVE_RATE,
              DRIFT_ALPHA,
              ALERT_RETENTION_WINDOWS,
              STATE_DIR,
              METRICS_PORT,
              QUERY_PORT,
              CALIBRATION_SOURCE,
              MODEL_DIR)
          .with("Kafka", KafkaSettings.KEYS)
          .with("HTTP", HttpAccess.KEYS);

  /** Every key this service reads, Kafka's included. */
  public static final Set<String> KEYS = TABLE.keys();

  /** Checks ranges; every message names the setting and the value. */
  public MonitorSettings {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(stateDir, STATE_DIR.key());
    APPLICATION_ID.check(applicationId);
    WINDOW.check(window);
    CALIBRATION_EVENTS.check(calibrationEvents);
    CALIBRATION_WINDOWS.check(calibrationWindows);
    FALSE_POSITIVE_RATE.check(falsePositiveRate);
    DRIFT_FALSE_POSITIVE_RATE.check(driftFalsePositiveRate);
    DRIFT_ALPHA.check(driftAlpha);
    ALERT_RETENTION_WINDOWS.check(alertRetentionWindows);
    METRICS_PORT.check(metricsPort);
    QUERY_PORT.check(queryPort);
    CALIBRATION_SOURCE.check(calibrationSource);
  }

  /** Whether the score detectors take the scoring version's thresholds when it has them. */
  public boolean thresholdsFromManifest() {
    return SOURCE_MANIFEST.equals(calibrationSource);
  }

  /** Reads the settings from flags, environment and file, with defaults for a local demo. */
  public static MonitorSettings from(SettingsSource source) {
    return new MonitorSettings(
        APPLICATION_ID.read(source),
        WINDOW.read(source),
        CALIBRATION_EVENTS.read(source),
        CALIBRATION_WINDOWS.read(source),
        FALSE_POSITIVE_RATE.read(source),
        DRIFT_FALSE_POSITIVE_RATE.read(source),
        DRIFT_ALPHA.read(source),
        ALERT_RETENTION_WINDOWS.read(source),
        STATE_DIR.read(source),
        METRICS_PORT.read(source),
        QUERY_PORT.read(source),
        KafkaSettings.from(source),
        CALIBRATION_SOURCE.read(source),
        MODEL_DIR.read(source));
  }
}
