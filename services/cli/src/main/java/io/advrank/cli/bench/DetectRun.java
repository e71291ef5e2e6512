package io.advrank.cli.bench;

import io.advrank.core.attack.AttackSpec;
import io.advrank.core.attack.AttackType;
import io.advrank.core.ranking.GalleryIndex;
import io.advrank.monitor.MonitorSettings;
import io.advrank.monitor.VersionThresholds;
import io.advrank.proto.v1.AnomalyAlert;
import io.advrank.proto.v1.CatalogObservation;
import io.advrank.proto.v1.RankingResult;
import io.advrank.proto.v1.SubjectKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * One {@code bench detect} experiment per attack type and ε, each in fresh monitor state.
 * Calibration: the catalog's first uploads (items in a seeded random order) and {@code
 * calibration.windows + 1} windows of benign queries (the first window only starts the items' drift
 * baselines). Test: windows of benign queries mixed with the attack: hijacked queries (QA) or
 * perturbed re-uploads of catalog photos among benign re-uploads (CA). Queries and photos scored in
 * the test are never the calibration's. Event times are synthetic, {@link #WINDOW} per window.
 */
final class DetectRun {
  static final Duration WINDOW = Duration.ofSeconds(10);
  private static final long W = WINDOW.toMillis();

  private record Timed(RankingResult ranking, long timeMs) {}

  private final DetectScenario scenario;
  private final MonitorSettings settings;
  private final VersionThresholds versions;
  private final int testWindows;
  private final long seed;
  private final long testStart;
  private final List<CatalogObservation> uploads;
  private final List<Timed> calibration;
  private final int[] testRows;
  private final String[] testIds;
  private final long[] testTimes;
  private final float[] testPixels;
  private final List<Integer> spareQueryRows;
  private final List<Integer> judgedItems;

  DetectRun(
      DetectScenario scenario,
      MonitorSettings settings,
      VersionThresholds versions,
      int perWindow,
      int testWindows,
      long seed) {
    this.scenario = scenario;
    this.settings = settings;
    this.versions = versions;
    this.testWindows = testWindows;
    this.seed = seed;
    int calibrationWindows = settings.calibrationWindows() + 1;
    this.testStart = calibrationWindows * W;
    int catalog = scenario.catalogSize();
    if (settings.calibrationEvents() >= catalog) {
      throw new IllegalArgumentException("--catalog: must exceed the calibration uploads");
    }
    // Catalog items upload in a random order, as queries arrive in one: the calibrating photos and
    // the judged ones are then alike, whatever order the data set lists its images in.
    Random order = new Random(seed);
    List<Integer> uploadOrder = new ArrayList<>(IntStream.range(0, catalog).boxed().toList());
    Collections.shuffle(uploadOrder, order);
    int[] all = rows(uploadOrder);
    this.uploads = scenario.observe(all, scenario.pixels(all), false);
    // Items whose first upload calibrated the detector are never scored.
    this.judgedItems = uploadOrder.subList(settings.calibrationEvents(), catalog);
    List<Integer> queryRows =
        new ArrayList<>(
            IntStream.range(catalog, catalog + scenario.queryImages()).boxed().toList());
    Collections.shuffle(queryRows, order);
    int calibrationQueries = calibrationWindows * perWindow;
    int testQueries = testWindows * perWindow;
    if (queryRows.size() < calibrationQueries + testQueries + 1) {
      throw new IllegalArgumentException(
          "--per-window: %d query images (test images beyond --catalog) are too few: %d calibrate and %d test (--calibration, --per-window, --test-windows)"
              .formatted(queryRows.size(), calibrationQueries, testQueries + 1));
    }
    int[] calRows = rows(queryRows.subList(0, calibrationQueries));
    this.calibration =
        timed(
            scenario.rank(
                scenario.cleanIndex(),
                scenario.pixels(calRows),
                calRows,
                ids("q-cal-", calRows.length)),
            times(0, calibrationWindows, perWindow));
    this.testRows = rows(queryRows.subList(calibrationQueries, calibrationQueries + testQueries));
    this.testIds = ids("q-", testRows.length);
    this.testTimes = times(testStart, testWindows, perWindow);
    this.testPixels = scenario.pixels(testRows);
    this.spareQueryRows = queryRows.subList(calibrationQueries + testQueries, queryRows.size());
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
            settings.driftFalsePositiveRate(),
            settings.driftAlpha(),
            settings.alertRetentionWindows(),
            settings.stateDir().resolve(cell),
            0,
            0,
            settings.kafka(),
            settings.calibrationSource(),
            null);
    Random random = new Random(seed * 1_000_003L + cell.hashCode());
    try (DetectReplay replay = new DetectReplay(fresh, versions)) {
      for (int i = 0; i < uploads.size(); i++) {
        replay.send(uploads.get(i), i * testStart / uploads.size());
      }
      calibration.forEach(t -> replay.send(t.ranking(), t.timeMs()));
      replay.newAlerts();
      return spec.type().role() == AttackType.Role.CANDIDATE
          ? candidates(spec, n, replay, random)
          : queries(spec, n, replay, random);
    }
  }

  /** QA: {@code n} hijacked query events among the benign ones; scored per event. */
  private DetectScores queries(AttackSpec spec, int n, DetectReplay replay, Random random) {
    if (n > spareQueryRows.size()) {
      throw new IllegalArgumentException(
          "--limit: at most " + spareQueryRows.size() + " QA attacks fit, was " + n);
    }
    List<Integer> spare = new ArrayList<>(spareQueryRows);
    Collections.shuffle(spare, random);
    int[] rows = rows(spare.subList(0, n));
    float[] perturbed = scenario.attackQueries(spec, rows, random);
    String[] ids = ids("hijacked-", n);
    long[] times = new long[n];
    for (int i = 0; i < n; i++) {
      times[i] = testStart + (i % testWindows) * W + random.nextInt((int) W);
    }
    // Benign and hijacked queries are ranked in one pass, as the ranker would see them: the
    // consistency score's running scales then hold this experiment's mix of traffic, not the
    // attacks of every earlier experiment.
    List<RankingResult> ranked =
        scenario.rank(
            scenario.cleanIndex(),
            concat(testPixels, perturbed),
            IntStream.concat(Arrays.stream(testRows), Arrays.stream(rows)).toArray(),
            Stream.concat(Arrays.stream(testIds), Arrays.stream(ids)).toArray(String[]::new));
    List<Timed> benignTest = timed(ranked.subList(0, testRows.length), testTimes);
    List<Timed> attacked = timed(ranked.subList(testRows.length, ranked.size()), times);
    List<Timed> traffic = new ArrayList<>(benignTest);
    traffic.addAll(attacked);
    traffic.sort(Comparator.comparingLong(Timed::timeMs));
    traffic.forEach(t -> replay.send(t.ranking(), t.timeMs()));
    closeLastWindow(replay);
    Map<String, Set<String>> alerted = alertedSubjects(replay, SubjectKind.SUBJECT_KIND_QUERY);
    double[] pos = attacked.stream().mapToDouble(t -> t.ranking().getConsistencyScore()).toArray();
    double[] neg =
        benignTest.stream().mapToDouble(t -> t.ranking().getConsistencyScore()).toArray();
    List<String> attackedIds = attacked.stream().map(t -> t.ranking().getQueryId()).toList();
    List<String> benignIds = benignTest.stream().map(t -> t.ranking().getQueryId()).toList();
    return new DetectScores(
        spec.type().label(),
        spec.epsilon(),
        "query",
        n,
        neg.length,
        alertedCount(alerted, attackedIds),
        alertedCount(alerted, benignIds),
        DetectScores.auc(pos, neg),
        bySignal(alerted, attackedIds),
        bySignal(alerted, benignIds));
  }

  /**
   * CA: at the start of the test, {@code n} catalog items are re-uploaded perturbed and every other
   * judged item re-uploaded unchanged (benign); then the test queries run against the new catalog.
   * Scored per re-uploaded item: any item alert (photo, rank surge or drop) in the test windows.
   */
  private DetectScores candidates(AttackSpec spec, int n, DetectReplay replay, Random random) {
    if (2 * n > judgedItems.size()) {
      throw new IllegalArgumentException(
          "--limit: at most " + judgedItems.size() / 2 + " CA attacks fit the catalog, was " + n);
    }
    // Perturbed and benign re-uploads are interleaved over the first half of the first test window.
    List<Integer> items = new ArrayList<>(judgedItems);
    Collections.shuffle(items, random);
    int[] attackedRows = rows(items.subList(0, n));
    int[] benignRows = rows(items.subList(n, items.size()));
    float[] perturbed = scenario.attackItems(spec, attackedRows);
    // Scored in one pass, as interleaved uploads would be (the scores' running scales see both).
    List<CatalogObservation> observed =
        scenario.observe(
            IntStream.concat(Arrays.stream(attackedRows), Arrays.stream(benignRows)).toArray(),
            concat(perturbed, scenario.pixels(benignRows)),
            true);
    List<CatalogObservation> attacked = observed.subList(0, n);
    List<CatalogObservation> benign = observed.subList(n, observed.size());
    List<CatalogObservation> reuploads = new ArrayList<>(attacked);
    reuploads.addAll(benign);
    Collections.shuffle(reuploads, random);
    for (int i = 0; i < reuploads.size(); i++) {
      replay.send(reuploads.get(i), testStart + i * (W / 2) / reuploads.size());
    }
    try (GalleryIndex index = scenario.reupload(attackedRows, perturbed)) {
      scenario
          .rank(index, testPixels, testRows, testIds)
          .forEach(r -> replay.send(r, testTimes[Integer.parseInt(r.getQueryId().substring(2))]));
    }
    closeLastWindow(replay);
    Map<String, Set<String>> alerted = alertedSubjects(replay, SubjectKind.SUBJECT_KIND_ITEM);
    List<String> attackedIds = attacked.stream().map(CatalogObservation::getItemId).toList();
    List<String> benignIds = benign.stream().map(CatalogObservation::getItemId).toList();
    return new DetectScores(
        spec.type().label(),
        spec.epsilon(),
        "item",
        n,
        benign.size(),
        alertedCount(alerted, attackedIds),
        alertedCount(alerted, benignIds),
        DetectScores.auc(scores(attacked), scores(benign)),
        bySignal(alerted, attackedIds),
        bySignal(alerted, benignIds));
  }

  /** The signals of the test windows' alerts, by subject. */
  private Map<String, Set<String>> alertedSubjects(DetectReplay replay, SubjectKind kind) {
    Map<String, Set<String>> out = new HashMap<>();
    for (AnomalyAlert a : replay.newAlerts()) {
      if (a.getSubjectKind() == kind && a.getWindowStartMs() >= testStart) {
        out.computeIfAbsent(a.getSubjectId(), s -> new TreeSet<>()).add(a.getSignal());
      }
    }
    return out;
  }

  private static int alertedCount(Map<String, Set<String>> alerted, List<String> subjects) {
    return (int) subjects.stream().filter(alerted::containsKey).count();
  }

  /** How many of {@code subjects} have an alert of each signal. */
  private static Map<String, Integer> bySignal(
      Map<String, Set<String>> alerted, List<String> subjects) {
    Map<String, Integer> out = new TreeMap<>();
    for (String subject : subjects) {
      for (String signal : alerted.getOrDefault(subject, Set.of())) {
        out.merge(signal, 1, Integer::sum);
      }
    }
    return out;
  }

  /** A benign query after the last test window, whose stream time closes it. */
  private void closeLastWindow(DetectReplay replay) {
    Timed last = calibration.get(0);
    replay.send(
        last.ranking().toBuilder().setQueryId("q-tick").build(), testStart + testWindows * W);
  }

  private static double[] scores(List<CatalogObservation> observations) {
    return observations.stream().mapToDouble(CatalogObservation::getConsistencyScore).toArray();
  }

  private static float[] concat(float[] a, float[] b) {
    float[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static int[] rows(List<Integer> rows) {
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
}
