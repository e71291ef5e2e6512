package io.advrank.monitor;

import io.advrank.core.detection.DetectorThresholds;
import io.advrank.proto.v1.AnomalyAlert;
import io.advrank.proto.v1.CatalogObservation;
import io.advrank.proto.v1.Hit;
import io.advrank.proto.v1.RankingResult;
import io.advrank.proto.v1.ScoreSample;
import io.advrank.proto.v1.SubjectKind;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Per-event detection on a score the ranker computed where the model lives: the feature-squeezing
 * consistency score d(f(x), f(squeeze(x))) of a query ({@link #queries}: query hijack, QA±) or of a
 * catalog photo ({@link #catalogPhotos}: CA±). The threshold is the one in the manifest of the
 * model version that scored the event ({@link VersionThresholds}, calibrated on clean data when the
 * version was made), so detection starts with the first event; for a version without one (or with
 * {@code calibration.source=live}) the first {@code calibration.events} scores of each task
 * calibrate it (their (1 − fpr) quantile). Every event above the threshold is a detection, alerted
 * once per subject and window.
 */
final class ScoreDetector<V> implements Processor<byte[], V, String, AnomalyAlert> {
  private static final String SAMPLE_KEY = "consistency_score";

  /** How to read one input type: subject, score (NaN when absent), model version, evidence. */
  record Reading<V>(
      SubjectKind kind,
      String signal,
      String calibrationStore,
      String alertStore,
      Function<V, String> subject,
      Function<V, Double> score,
      Function<V, String> modelVersion,
      Function<V, Map<String, String>> evidence,
      Function<DetectorThresholds, Double> versionThreshold) {}

  private final Reading<V> reading;
  private final MonitorSettings settings;
  private final MonitorMetrics metrics;
  private final VersionThresholds versions;
  private ProcessorContext<String, AnomalyAlert> context;
  private KeyValueStore<String, ScoreSample> calibration;
  private AlertLog alerts;
  private double threshold = Double.NaN; // cached once calibrated; the sample is frozen then

  ScoreDetector(
      Reading<V> reading,
      MonitorSettings settings,
      MonitorMetrics metrics,
      VersionThresholds versions) {
    this.reading = reading;
    this.settings = settings;
    this.metrics = metrics;
    this.versions = versions;
  }

  /** Query hijack: the consistency score the ranker attached to each ranking. */
  static ScoreDetector<RankingResult> queries(
      MonitorSettings settings, MonitorMetrics metrics, VersionThresholds versions) {
    return new ScoreDetector<>(
        new Reading<>(
            SubjectKind.SUBJECT_KIND_QUERY,
            Alerts.QUERY_HIJACK,
            MonitorTopology.HIJACK_CALIBRATION,
            MonitorTopology.QUERY_ALERTS,
            RankingResult::getQueryId,
            r -> r.hasConsistencyScore() ? r.getConsistencyScore() : Double.NaN,
            RankingResult::getModelVersion,
            ScoreDetector::rankingEvidence,
            DetectorThresholds::queryHijack),
        settings,
        metrics,
        versions);
  }

  /** Suspicious catalog photos: the consistency score the ranker observed at upload. */
  static ScoreDetector<CatalogObservation> catalogPhotos(
      MonitorSettings settings, MonitorMetrics metrics, VersionThresholds versions) {
    return new ScoreDetector<>(
        new Reading<>(
            SubjectKind.SUBJECT_KIND_ITEM,
            Alerts.PHOTO_INCONSISTENCY,
            MonitorTopology.CATALOG_CALIBRATION,
            MonitorTopology.CATALOG_ALERTS,
            CatalogObservation::getItemId,
            o -> (double) o.getConsistencyScore(),
            CatalogObservation::getModelVersion,
            ScoreDetector::catalogEvidence,
            DetectorThresholds::catalogPhoto),
        settings,
        metrics,
        versions);
  }

  @Override
  public void init(ProcessorContext<String, AnomalyAlert> context) {
    this.context = context;
    this.calibration = context.getStateStore(reading.calibrationStore());
    this.alerts = new AlertLog(context.getStateStore(reading.alertStore()), settings);
    context.schedule(settings.window(), PunctuationType.STREAM_TIME, alerts::prune);
    ScoreSample sample = calibration.get(SAMPLE_KEY);
    if (sample != null && sample.getValuesCount() >= settings.calibrationEvents()) {
      threshold = Calibration.upper(sample, settings.falsePositiveRate()); // a restart
    }
  }

  @Override
  public void process(Record<byte[], V> record) {
    V value = record.value();
    double score = reading.score().apply(value);
    if (Double.isNaN(score)) {
      return; // a ranker that does not score: nothing to judge
    }
    String version = reading.modelVersion().apply(value);
    Optional<DetectorThresholds> fromManifest =
        settings.thresholdsFromManifest() ? versions.of(version) : Optional.empty();
    double limit;
    String calibratedOn;
    if (fromManifest.isPresent()) {
      limit = reading.versionThreshold().apply(fromManifest.get());
      calibratedOn =
          "manifest of " + version + ", " + fromManifest.get().images() + " clean images";
    } else if (Double.isNaN(threshold)) {
      calibrate(score);
      return;
    } else {
      limit = threshold;
      calibratedOn = "live, " + settings.calibrationEvents() + " scores";
    }
    if (score <= limit) {
      return;
    }
    metrics.detection(reading.signal());
    long start = MonitorTopology.windowStart(record.timestamp(), settings.window());
    Map<String, String> evidence = new LinkedHashMap<>(reading.evidence().apply(value));
    evidence.put("calibration", calibratedOn);
    String subject = reading.subject().apply(value);
    AnomalyAlert alert =
        Alerts.alert(
            reading.kind(),
            subject,
            reading.signal(),
            score,
            limit,
            start,
            start + settings.window().toMillis(),
            version,
            evidence,
            record.timestamp());
    if (alerts.addIfNew(alert)) {
      metrics.alert(reading.signal());
      context.forward(new Record<>(subject, alert, record.timestamp()));
    }
  }

  private void calibrate(double score) {
    ScoreSample stored = calibration.get(SAMPLE_KEY);
    ScoreSample.Builder sample = stored == null ? ScoreSample.newBuilder() : stored.toBuilder();
    Calibration.offer(sample, score, settings.calibrationEvents());
    calibration.put(SAMPLE_KEY, sample.build());
    if (sample.getValuesCount() >= settings.calibrationEvents()) {
      threshold = Calibration.upper(sample, settings.falsePositiveRate());
    }
  }

  private static Map<String, String> rankingEvidence(RankingResult r) {
    Map<String, String> evidence = new LinkedHashMap<>();
    evidence.put("query_event_id", r.getQueryEventId());
    if (r.getHitsCount() > 0) {
      Hit top = r.getHits(0);
      evidence.put("top_item", top.getItemId());
      evidence.put("top_distance", Float.toString(top.getDistance()));
    }
    return evidence;
  }

  private static Map<String, String> catalogEvidence(CatalogObservation o) {
    Map<String, String> evidence = new LinkedHashMap<>();
    evidence.put("event_id", o.getEventId());
    evidence.put(
        "embedding_jump", o.hasEmbeddingJump() ? Float.toString(o.getEmbeddingJump()) : "first");
    return evidence;
  }
}
