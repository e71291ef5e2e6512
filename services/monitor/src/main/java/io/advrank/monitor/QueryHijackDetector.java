package io.advrank.monitor;

import io.advrank.proto.v1.AnomalyAlert;
import io.advrank.proto.v1.Hit;
import io.advrank.proto.v1.RankingResult;
import io.advrank.proto.v1.ScoreSample;
import io.advrank.proto.v1.SubjectKind;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Query hijack: the ranker attaches to each ranking a consistency score, d(f(x), f(squeeze(x))) of
 * the query (feature squeezing, computed where the model lives). The first {@code
 * calibration.events} scores of each task calibrate the threshold (their (1 − fpr) quantile); after
 * that every ranking whose score is above it is a detection, alerted once per query and window.
 *
 * <p>Stores: {@value MonitorTopology#HIJACK_CALIBRATION} (the calibration sample) and {@value
 * MonitorTopology#QUERY_ALERTS} (alerts of the retained windows, for deduplication and {@code
 * /alerts}).
 */
final class QueryHijackDetector implements Processor<byte[], RankingResult, String, AnomalyAlert> {
  private static final String SAMPLE_KEY = "consistency_score";

  private final MonitorSettings settings;
  private final MonitorMetrics metrics;
  private ProcessorContext<String, AnomalyAlert> context;
  private KeyValueStore<String, ScoreSample> calibration;
  private AlertLog alerts;
  private double threshold = Double.NaN; // cached once calibrated; the sample is frozen then

  QueryHijackDetector(MonitorSettings settings, MonitorMetrics metrics) {
    this.settings = settings;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, AnomalyAlert> context) {
    this.context = context;
    this.calibration = context.getStateStore(MonitorTopology.HIJACK_CALIBRATION);
    this.alerts = new AlertLog(context.getStateStore(MonitorTopology.QUERY_ALERTS), settings);
    context.schedule(settings.window(), PunctuationType.STREAM_TIME, alerts::prune);
    ScoreSample sample = calibration.get(SAMPLE_KEY);
    if (sample != null && sample.getValuesCount() >= settings.calibrationEvents()) {
      threshold = Calibration.upper(sample, settings.falsePositiveRate()); // a restart
    }
  }

  @Override
  public void process(Record<byte[], RankingResult> record) {
    RankingResult ranking = record.value();
    if (!ranking.hasConsistencyScore()) {
      return; // a ranker that does not score: nothing to judge
    }
    double score = ranking.getConsistencyScore();
    if (Double.isNaN(threshold)) {
      calibrate(score);
      return;
    }
    if (score <= threshold) {
      return;
    }
    metrics.detection(Alerts.QUERY_HIJACK);
    long start = MonitorTopology.windowStart(record.timestamp(), settings.window());
    Map<String, String> evidence = new LinkedHashMap<>();
    evidence.put("query_event_id", ranking.getQueryEventId());
    if (ranking.getHitsCount() > 0) {
      Hit top = ranking.getHits(0);
      evidence.put("top_item", top.getItemId());
      evidence.put("top_distance", Float.toString(top.getDistance()));
    }
    evidence.put("calibration_scores", Integer.toString(settings.calibrationEvents()));
    AnomalyAlert alert =
        Alerts.alert(
            SubjectKind.SUBJECT_KIND_QUERY,
            ranking.getQueryId(),
            Alerts.QUERY_HIJACK,
            score,
            threshold,
            start,
            start + settings.window().toMillis(),
            ranking.getModelVersion(),
            evidence,
            record.timestamp());
    if (alerts.addIfNew(alert)) {
      metrics.alert(Alerts.QUERY_HIJACK);
      context.forward(new Record<>(ranking.getQueryId(), alert, record.timestamp()));
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
}
