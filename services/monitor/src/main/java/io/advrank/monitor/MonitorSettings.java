package io.advrank.monitor;

import static io.advrank.runtime.settings.SettingsRules.NAME_RULE;
import static io.advrank.runtime.settings.SettingsRules.require;
import static io.advrank.runtime.settings.SettingsRules.requireDuration;

import io.advrank.runtime.http.HttpAccess;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.settings.ServiceSettings;
import io.advrank.runtime.settings.SettingsSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the monitor needs, validated once at start-up; messages name the setting and the bad
 * value.
 *
 * @param applicationId Kafka Streams application id: consumer group, state and internal topic
 *     prefix ({@value #APPLICATION_ID})
 * @param window length of the tumbling windows that drift is counted over and alerts are
 *     deduplicated per ({@value #WINDOW})
 * @param calibrationEvents benign rankings whose consistency scores calibrate the query-hijack
 *     threshold before it alerts ({@value #CALIBRATION_EVENTS})
 * @param calibrationWindows windows whose item drift scores calibrate the rank-drift thresholds
 *     before they alert ({@value #CALIBRATION_WINDOWS})
 * @param falsePositiveRate the share of benign scores allowed above a threshold: thresholds are the
 *     (1 - rate) quantile of the calibration scores ({@value #FALSE_POSITIVE_RATE})
 * @param driftFalsePositiveRate the same for the rank-drift thresholds, per item and window; lower
 *     because every catalog item is judged in every window ({@value #DRIFT_FALSE_POSITIVE_RATE})
 * @param driftAlpha weight of the newest window in an item's EWMA baseline ({@value #DRIFT_ALPHA})
 * @param alertRetentionWindows how many windows alerts are kept for deduplication and {@code
 *     /alerts} ({@value #ALERT_RETENTION_WINDOWS})
 * @param stateDir where Kafka Streams keeps local state ({@value #STATE_DIR})
 * @param metricsPort port of {@code /metrics} and {@code /health}; 0 = any ({@value #METRICS_PORT})
 * @param queryPort port of the interactive queries ({@code /drift?item=ID}, {@code /alerts}); 0 =
 *     any ({@value #QUERY_PORT})
 * @param kafka how to reach Kafka
 * @param calibrationSource where the score detectors' thresholds come from: {@code manifest} (the
 *     thresholds in the manifest of the model version that scored the event, calibrated on clean
 *     data when the version was made; live calibration for a version without them) or {@code live}
 *     (always calibrate on the first {@code calibration.events} live scores) ({@value
 *     #CALIBRATION_SOURCE})
 * @param modelDir the directory of the model the services start with, whose manifest gives the base
 *     version's thresholds (later versions' come from {@code advrank.models}); {@code null} for
 *     none ({@value #MODEL_DIR})
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

  public static final String APPLICATION_ID = "application.id";
  public static final String WINDOW = "window.size";
  public static final String CALIBRATION_EVENTS = "calibration.events";
  public static final String CALIBRATION_WINDOWS = "calibration.windows";
  public static final String FALSE_POSITIVE_RATE = "calibration.fpr";
  public static final String DRIFT_FALSE_POSITIVE_RATE = "drift.fpr";
  public static final String DRIFT_ALPHA = "drift.alpha";
  public static final String ALERT_RETENTION_WINDOWS = "alert.retention.windows";
  public static final String STATE_DIR = "state.dir";
  public static final String METRICS_PORT = "metrics.port";
  public static final String QUERY_PORT = "query.port";
  public static final String CALIBRATION_SOURCE = "calibration.source";
  public static final String MODEL_DIR = "model.dir";

  /** {@value}: thresholds from the scoring version's manifest when it has them. */
  public static final String SOURCE_MANIFEST = "manifest";

  /** {@value}: thresholds from live traffic only. */
  public static final String SOURCE_LIVE = "live";

  /** Default port of the monitor's metrics endpoint. */
  public static final int DEFAULT_METRICS_PORT = 9413;

  /** Default port of the monitor's interactive queries. */
  public static final int DEFAULT_QUERY_PORT = 9420;

  /** Every key this service reads, Kafka's included. */
  public static final Set<String> KEYS = keys();

  private static final String NAME = "[A-Za-z0-9._-]{1,64}";

  /** Checks ranges; every message names the setting and the value. */
  public MonitorSettings {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(stateDir, STATE_DIR);
    require(
        applicationId != null && applicationId.matches(NAME),
        APPLICATION_ID,
        applicationId,
        NAME_RULE);
    requireDuration(window, WINDOW, Duration.ofDays(1));
    require(!window.isZero(), WINDOW, window, "must be positive");
    require(
        calibrationEvents >= 10 && calibrationEvents <= 100_000,
        CALIBRATION_EVENTS,
        calibrationEvents,
        "must be 10..100000");
    require(
        calibrationWindows >= 1 && calibrationWindows <= 1000,
        CALIBRATION_WINDOWS,
        calibrationWindows,
        "must be 1..1000");
    require(
        falsePositiveRate > 0 && falsePositiveRate < 0.5,
        FALSE_POSITIVE_RATE,
        falsePositiveRate,
        "must be in (0, 0.5)");
    require(
        driftFalsePositiveRate > 0 && driftFalsePositiveRate < 0.5,
        DRIFT_FALSE_POSITIVE_RATE,
        driftFalsePositiveRate,
        "must be in (0, 0.5)");
    require(driftAlpha > 0 && driftAlpha <= 1, DRIFT_ALPHA, driftAlpha, "must be in (0, 1]");
    require(
        alertRetentionWindows >= 1 && alertRetentionWindows <= 10_000,
        ALERT_RETENTION_WINDOWS,
        alertRetentionWindows,
        "must be 1..10000");
    require(
        metricsPort >= 0 && metricsPort <= 65535, METRICS_PORT, metricsPort, "must be 0..65535");
    require(queryPort >= 0 && queryPort <= 65535, QUERY_PORT, queryPort, "must be 0..65535");
    require(
        SOURCE_MANIFEST.equals(calibrationSource) || SOURCE_LIVE.equals(calibrationSource),
        CALIBRATION_SOURCE,
        calibrationSource,
        "must be manifest or live");
  }

  /** Settings that calibrate on live traffic only (replays, tests). */
  public MonitorSettings(
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
      KafkaSettings kafka) {
    this(
        applicationId,
        window,
        calibrationEvents,
        calibrationWindows,
        falsePositiveRate,
        driftFalsePositiveRate,
        driftAlpha,
        alertRetentionWindows,
        stateDir,
        metricsPort,
        queryPort,
        kafka,
        SOURCE_LIVE,
        null);
  }

  /** Whether the score detectors take the scoring version's thresholds when it has them. */
  public boolean thresholdsFromManifest() {
    return SOURCE_MANIFEST.equals(calibrationSource);
  }

  /** Reads the settings from flags, environment and file, with defaults for a local demo. */
  public static MonitorSettings from(SettingsSource source) {
    return new MonitorSettings(
        source.string(APPLICATION_ID, "advrank-monitor"),
        source.duration(WINDOW, Duration.ofSeconds(30)),
        source.intValue(CALIBRATION_EVENTS, 1000),
        source.intValue(CALIBRATION_WINDOWS, 3),
        source.doubleValue(FALSE_POSITIVE_RATE, 0.005),
        source.doubleValue(DRIFT_FALSE_POSITIVE_RATE, 0.00025),
        source.doubleValue(DRIFT_ALPHA, 0.3),
        source.intValue(ALERT_RETENTION_WINDOWS, 20),
        Path.of(
            source.string(
                STATE_DIR,
                Path.of(System.getProperty("java.io.tmpdir"), "advrank-monitor").toString())),
        source.intValue(METRICS_PORT, DEFAULT_METRICS_PORT),
        source.intValue(QUERY_PORT, DEFAULT_QUERY_PORT),
        KafkaSettings.from(source),
        source.string(CALIBRATION_SOURCE, SOURCE_MANIFEST),
        source.string(MODEL_DIR, "").isEmpty() ? null : Path.of(source.string(MODEL_DIR, "")));
  }

  private static Set<String> keys() {
    Set<String> keys =
        new HashSet<>(
            Set.of(
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
                MODEL_DIR));
    keys.addAll(KafkaSettings.KEYS);
    keys.addAll(HttpAccess.KEYS); // read by the service's Main
    return Set.copyOf(keys);
  }
}
