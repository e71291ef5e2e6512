package io.advrank.monitor;

import io.advrank.proto.v1.AnomalyAlert;
import io.advrank.proto.v1.ItemDrift;
import io.advrank.proto.v1.ItemSighting;
import io.advrank.proto.v1.ScoreSample;
import io.advrank.proto.v1.SubjectKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Rank drift per catalog item: counts the item's sightings (appearances in a top-k) per tumbling
 * window and scores each closed window against the item's own trailing baseline ({@link
 * DriftBaseline}). A CA+ item suddenly appears for queries it never used to rank for (a surge); a
 * CA- item vanishes from the rankings of its own neighbours (a drop). Windows are closed when a
 * later sighting of the item arrives or, for items no longer seen, by a stream-time punctuation.
 *
 * <p>Calibration: the scores of every item in the first {@code calibration.windows} scored windows
 * of a task form the sample; the surge threshold is its (1 − drift.fpr) quantile, the drop
 * threshold its drift.fpr quantile.
 *
 * <p>Stores: {@value MonitorTopology#ITEM_DRIFT}, {@value MonitorTopology#DRIFT_CALIBRATION},
 * {@value MonitorTopology#ITEM_ALERTS}.
 */
final class RankDriftDetector implements Processor<String, ItemSighting, String, AnomalyAlert> {
  private static final String SAMPLE_KEY = "drift_score";
  private static final int SAMPLE_CAPACITY = 20_000;
  // An item silent for longer than this many windows has its gap folded in one step.
  private static final int MAX_EMPTY_WINDOWS = 100;

  private final MonitorSettings settings;
  private final MonitorMetrics metrics;
  private final long windowMs;
  private ProcessorContext<String, AnomalyAlert> context;
  private KeyValueStore<String, ItemDrift> items;
  private KeyValueStore<String, ScoreSample> calibration;
  private AlertLog alerts;
  private ScoreSample.Builder sample;
  private double surgeThreshold = Double.NaN;
  private double dropThreshold = Double.NaN;

  RankDriftDetector(MonitorSettings settings, MonitorMetrics metrics) {
    this.settings = settings;
    this.metrics = metrics;
    this.windowMs = settings.window().toMillis();
  }

  @Override
  public void init(ProcessorContext<String, AnomalyAlert> context) {
    this.context = context;
    this.items = context.getStateStore(MonitorTopology.ITEM_DRIFT);
    this.calibration = context.getStateStore(MonitorTopology.DRIFT_CALIBRATION);
    this.alerts = new AlertLog(context.getStateStore(MonitorTopology.ITEM_ALERTS), settings);
    ScoreSample stored = calibration.get(SAMPLE_KEY);
    this.sample = stored == null ? ScoreSample.newBuilder() : stored.toBuilder();
    context.schedule(settings.window(), PunctuationType.STREAM_TIME, this::closeWindows);
  }

  @Override
  public void process(Record<String, ItemSighting> record) {
    ItemSighting s = record.value();
    long window = MonitorTopology.windowStart(record.timestamp(), settings.window());
    ItemDrift stored = items.get(s.getItemId());
    ItemDrift.Builder state =
        stored == null
            ? ItemDrift.newBuilder().setItemId(s.getItemId()).setWindowStartMs(window)
            : stored.toBuilder();
    if (window > state.getWindowStartMs()) {
      advance(state, window, record.timestamp());
    }
    // A late sighting (an earlier window) counts in the open window: never reopen a closed one.
    state.setSightings(state.getSightings() + 1).setModelVersion(s.getModelVersion());
    if (s.hasItemLabel() && s.hasQueryLabel() && s.getItemLabel() != s.getQueryLabel()) {
      state.setUnrelated(state.getUnrelated() + 1);
    }
    items.put(s.getItemId(), state.build());
  }

  /** Punctuation: closes the finished windows of every item, including those not seen lately. */
  private void closeWindows(long streamTimeMs) {
    long current = MonitorTopology.windowStart(streamTimeMs, settings.window());
    List<KeyValue<String, ItemDrift>> updates = new ArrayList<>();
    double max = 0;
    try (KeyValueIterator<String, ItemDrift> all = items.all()) {
      while (all.hasNext()) {
        KeyValue<String, ItemDrift> e = all.next();
        ItemDrift state = e.value;
        if (state.getWindowStartMs() < current) {
          ItemDrift.Builder next = state.toBuilder();
          advance(next, current, streamTimeMs);
          state = next.build();
          updates.add(KeyValue.pair(e.key, state));
        }
        max = Math.max(max, state.getLastScore());
      }
    }
    items.putAll(updates);
    calibration.put(SAMPLE_KEY, sample.build());
    metrics.driftMax(context.taskId().toString(), max);
    alerts.prune(streamTimeMs);
  }

  /**
   * Closes the open window and any empty ones after it, up to the window starting at {@code to}.
   */
  private void advance(ItemDrift.Builder state, long to, long nowMs) {
    long w = state.getWindowStartMs();
    close(state, w, state.getSightings(), state.getUnrelated(), nowMs);
    w += windowMs;
    if ((to - w) / windowMs > MAX_EMPTY_WINDOWS) {
      w = to - MAX_EMPTY_WINDOWS * windowMs;
    }
    for (; w < to; w += windowMs) {
      close(state, w, 0, 0, nowMs);
    }
    state.setWindowStartMs(to).setSightings(0).setUnrelated(0);
  }

  private void close(
      ItemDrift.Builder state, long window, long sightings, long unrelated, long now) {
    double score = DriftBaseline.score(state, sightings);
    if (state.getWindows() > 0) {
      judge(state, window, sightings, unrelated, score, now);
    }
    DriftBaseline.fold(state, sightings, settings.driftAlpha())
        .setLastScore(score)
        .setLastWindowStartMs(window)
        .setLastSightings((int) sightings);
  }

  private void judge(
      ItemDrift.Builder state,
      long window,
      long sightings,
      long unrelated,
      double score,
      long now) {
    if (Double.isNaN(surgeThreshold)) {
      if (sample.getSeen() == 0) {
        sample.setStartedAtMs(window);
      }
      if (window < sample.getStartedAtMs() + settings.calibrationWindows() * windowMs) {
        Calibration.offer(sample, score, SAMPLE_CAPACITY);
        return;
      }
      surgeThreshold = Calibration.upper(sample, settings.driftFalsePositiveRate());
      dropThreshold = Calibration.lower(sample, settings.driftFalsePositiveRate());
      calibration.put(SAMPLE_KEY, sample.build());
    }
    if (score > 0 && score > surgeThreshold) {
      raise(Alerts.RANK_SURGE, state, window, sightings, unrelated, score, surgeThreshold, now);
    } else if (score < 0 && score < dropThreshold) {
      raise(Alerts.RANK_DROP, state, window, sightings, unrelated, score, dropThreshold, now);
    }
  }

  private void raise(
      String signal,
      ItemDrift.Builder state,
      long window,
      long sightings,
      long unrelated,
      double score,
      double threshold,
      long now) {
    metrics.detection(signal);
    Map<String, String> evidence = new LinkedHashMap<>();
    evidence.put("sightings", Long.toString(sightings));
    evidence.put("unrelated_sightings", Long.toString(unrelated));
    evidence.put("baseline_mean", String.format("%.3f", state.getBaselineMean()));
    evidence.put("baseline_windows", Integer.toString(state.getWindows()));
    AnomalyAlert alert =
        Alerts.alert(
            SubjectKind.SUBJECT_KIND_ITEM,
            state.getItemId(),
            signal,
            score,
            threshold,
            window,
            window + windowMs,
            state.getModelVersion(),
            evidence,
            now);
    if (alerts.addIfNew(alert)) {
      metrics.alert(signal);
      context.forward(new Record<>(state.getItemId(), alert, now));
    }
  }
}
