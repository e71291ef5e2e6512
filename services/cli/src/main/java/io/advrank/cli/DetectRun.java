package io.advrank.cli;

import io.advrank.core.attack.AttackSpec;
import io.advrank.core.attack.AttackType;
import io.advrank.core.ranking.GalleryIndex;
import io.advrank.monitor.MonitorSettings;
import io.advrank.proto.v1.AnomalyAlert;
import io.advrank.proto.v1.RankingResult;
import io.advrank.proto.v1.SubjectKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * One {@code bench detect} experiment per attack type and ε, each in fresh monitor state: the same
 * benign calibration windows, then test windows of benign queries mixed with the attack, then one
 * more query to close the last window. Event times are synthetic ({@link #WINDOW} per window).
 */
final class DetectRun {
  static final Duration WINDOW = Duration.ofSeconds(10);
  private static final long W = WINDOW.toMillis();

  private record Timed(RankingResult ranking, long timeMs) {}

  private final DetectScenario scenario;
  private final MonitorSettings settings;
  private final int testWindows;
  private final long seed;
  private final long testStart;
  private final List<Timed> calibration;
  private final int[] testRows;
  private final String[] testIds;
  private final long[] testTimes;
  private final float[] testPixels;
  private final List<Timed> benignTest;

  DetectRun(
      DetectScenario scenario,
      MonitorSettings settings,
      int perWindow,
      int testWindows,
      long seed) {
    this.scenario = scenario;
    this.settings = settings;
    this.testWindows = testWindows;
    this.seed = seed;
    // The first window only starts every item's baseline; drift calibration takes the next ones.
    int calibrationWindows = settings.calibrationWindows() + 1;
    this.testStart = calibrationWindows * W;
    Random random = new Random(seed);
    int[] calRows = draw(random, calibrationWindows * perWindow);
    long[] calTimes = times(0, calibrationWindows, perWindow);
    this.calibration =
        timed(
            scenario.rank(
                scenario.cleanIndex(),
                scenario.pixels(calRows),
                calRows,
                ids("q-cal-", calRows.length)),
            calTimes);
    this.testRows = draw(random, testWindows * perWindow);
    this.testIds = ids("q-", testRows.length);
    this.testTimes = times(testStart, testWindows, perWindow);
    this.testPixels = scenario.pixels(testRows);
    this.benignTest =
        timed(scenario.rank(scenario.cleanIndex(), testPixels, testRows, testIds), testTimes);
  }

  DetectScores score(AttackSpec spec, int n) {
    String cell = spec.type().label().replace('+', 'p').replace('-', 'm') + "-" + spec.epsilon();
    MonitorSettings fresh =
        new MonitorSettings(
            settings.applicationId(),
            settings.window(),
            settings.calibrationEvents(),
            settings.calibrationWindows(),
            settings.falsePositiveRate(),
            settings.driftAlpha(),
            settings.alertRetentionWindows(),
            settings.stateDir().resolve(cell),
            0,
            0,
            settings.kafka());
    Random random = new Random(seed * 1_000_003L + cell.hashCode());
    try (DetectReplay replay = new DetectReplay(fresh)) {
      calibration.forEach(t -> replay.send(t.ranking(), t.timeMs()));
      replay.newAlerts();
      return spec.type().role() == AttackType.Role.CANDIDATE
          ? candidates(spec, n, replay, random)
          : queries(spec, n, replay, random);
    }
  }

  /** QA: {@code n} hijacked query events among the benign ones; scored per event. */
  private DetectScores queries(AttackSpec spec, int n, DetectReplay replay, Random random) {
    int[] rows = draw(random, n);
    float[] perturbed = scenario.attack(spec, rows, random);
    String[] ids = ids("hijacked-", n);
    long[] times = new long[n];
    for (int i = 0; i < n; i++) {
      times[i] = testStart + (i % testWindows) * W + random.nextInt((int) W);
    }
    List<Timed> attacked = timed(scenario.rank(scenario.cleanIndex(), perturbed, rows, ids), times);
    List<Timed> traffic = new ArrayList<>(benignTest);
    traffic.addAll(attacked);
    traffic.sort(Comparator.comparingLong(Timed::timeMs));
    traffic.forEach(t -> replay.send(t.ranking(), t.timeMs()));
    closeLastWindow(replay);
    Set<String> alerted = new HashSet<>();
    for (AnomalyAlert a : replay.newAlerts()) {
      if (a.getSubjectKind() == SubjectKind.SUBJECT_KIND_QUERY) {
        alerted.add(a.getSubjectId());
      }
    }
    double[] pos = attacked.stream().mapToDouble(t -> t.ranking().getConsistencyScore()).toArray();
    double[] neg =
        benignTest.stream().mapToDouble(t -> t.ranking().getConsistencyScore()).toArray();
    int tp =
        (int) attacked.stream().filter(t -> alerted.contains(t.ranking().getQueryId())).count();
    int fp =
        (int) benignTest.stream().filter(t -> alerted.contains(t.ranking().getQueryId())).count();
    return new DetectScores(
        spec.type().label(),
        spec.epsilon(),
        "query",
        n,
        neg.length,
        tp,
        fp,
        DetectScores.auc(pos, neg));
  }

  /** CA: {@code n} catalog items re-uploaded perturbed before the test windows; scored per item. */
  private DetectScores candidates(AttackSpec spec, int n, DetectReplay replay, Random random) {
    int[] rows = distinctRows(random, n);
    float[] perturbed = scenario.attack(spec, rows, random);
    Map<String, Double> worst = new HashMap<>();
    boolean raises = spec.type().raises();
    try (GalleryIndex index = scenario.reupload(rows, perturbed)) {
      List<Timed> traffic = timed(scenario.rank(index, testPixels, testRows, testIds), testTimes);
      long window = testStart;
      for (Timed t : traffic) {
        if (t.timeMs() >= window + W) {
          replay.send(t.ranking(), t.timeMs()); // its stream time closes the window
          fold(worst, replay.driftScores(window), raises);
          window += W;
        } else {
          replay.send(t.ranking(), t.timeMs());
        }
      }
      closeLastWindow(replay);
      fold(worst, replay.driftScores(window), raises);
    }
    Set<String> alerted = new HashSet<>();
    for (AnomalyAlert a : replay.newAlerts()) {
      if (a.getSubjectKind() == SubjectKind.SUBJECT_KIND_ITEM
          && a.getWindowStartMs() >= testStart) {
        alerted.add(a.getSubjectId());
      }
    }
    Set<String> attacked = new HashSet<>();
    for (int row : rows) {
      attacked.add("item-" + row);
    }
    List<Double> pos = new ArrayList<>();
    List<Double> neg = new ArrayList<>();
    int tp = 0;
    int fp = 0;
    for (int row = 0; row < scenario.catalogSize(); row++) {
      String item = "item-" + row;
      double score = worst.getOrDefault(item, 0.0);
      boolean isAttacked = attacked.contains(item);
      (isAttacked ? pos : neg).add(score);
      if (alerted.contains(item)) {
        if (isAttacked) {
          tp++;
        } else {
          fp++;
        }
      }
    }
    return new DetectScores(
        spec.type().label(),
        spec.epsilon(),
        "item",
        pos.size(),
        neg.size(),
        tp,
        fp,
        DetectScores.auc(toArray(pos), toArray(neg)));
  }

  /** A benign query after the last test window, whose stream time closes it. */
  private void closeLastWindow(DetectReplay replay) {
    Timed last = calibration.get(0);
    replay.send(
        last.ranking().toBuilder().setQueryId("q-tick").build(), testStart + testWindows * W);
  }

  /** Keeps each item's most suspicious score: the largest rise (CA+) or fall (CA-). */
  private static void fold(Map<String, Double> worst, Map<String, Double> scores, boolean raises) {
    scores.forEach((item, z) -> worst.merge(item, raises ? z : -z, Math::max));
  }

  private int[] draw(Random random, int n) {
    int[] rows = new int[n];
    for (int i = 0; i < n; i++) {
      rows[i] = random.nextInt(scenario.poolSize());
    }
    return rows;
  }

  /** {@code n} distinct catalog rows outside the popular queries: the sellers' items. */
  private int[] distinctRows(Random random, int n) {
    int sellers = scenario.catalogSize() - scenario.poolSize();
    if (n > sellers) {
      throw new IllegalArgumentException(
          "--limit: at most " + sellers + " CA attacks fit the catalog outside the pool, was " + n);
    }
    Set<Integer> rows = new LinkedHashSet<>();
    while (rows.size() < n) {
      rows.add(scenario.poolSize() + random.nextInt(sellers));
    }
    return rows.stream().mapToInt(Integer::intValue).toArray();
  }

  private static long[] times(long start, int windows, int perWindow) {
    long[] out = new long[windows * perWindow];
    for (int i = 0; i < out.length; i++) {
      out[i] = start + (i / perWindow) * W + (i % perWindow) * (W / perWindow);
    }
    return out;
  }

  private static String[] ids(String prefix, int n) {
    String[] out = new String[n];
    for (int i = 0; i < n; i++) {
      out[i] = prefix + i;
    }
    return out;
  }

  private static List<Timed> timed(List<RankingResult> rankings, long[] times) {
    List<Timed> out = new ArrayList<>(rankings.size());
    for (int i = 0; i < rankings.size(); i++) {
      out.add(new Timed(rankings.get(i), times[i]));
    }
    return out;
  }

  private static double[] toArray(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
