package io.advrank.cli.bench;

import io.advrank.cli.DataOptions;
import io.advrank.cli.EpsilonConverter;
import io.advrank.cli.ModelOptions;
import io.advrank.cli.OutputOptions;
import io.advrank.cli.ProfileOption;
import io.advrank.core.attack.AttackProfile;
import io.advrank.core.attack.AttackSpec;
import io.advrank.core.attack.AttackType;
import io.advrank.core.attack.Epsilons;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.detection.DetectorThresholds;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.monitor.MonitorSettings;
import io.advrank.monitor.VersionThresholds;
import io.advrank.runtime.lifecycle.Shutdown;
import io.advrank.runtime.lifecycle.TempDirectory;
import io.advrank.runtime.settings.KafkaSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code advrank bench detect}: detection quality of the monitor against ground truth. Benign
 * shopper traffic calibrates the monitor, then each attack type and ε runs in fresh monitor state:
 * QA attacks hijack some of the queries of the test windows, CA attacks re-upload perturbed photos
 * of some catalog items before them. Detection runs the real path: the ranker's ranking and
 * consistency score ({@code FeatureSqueeze}), the monitor's topology ({@link DetectReplay}). Ground
 * truth is used only to score: per query event for QA, per catalog item for CA.
 */
@Command(
    name = "detect",
    mixinStandardHelpOptions = true,
    description =
        "Detection quality of the monitor: benign traffic plus CA+, CA-, SP-QA+, SP-QA- at "
            + "each eps; prints precision, recall, false-positive rate (alerts) and ROC-AUC "
            + "(scores) against ground truth, per attack type and eps (QA: per query event; CA: "
            + "per catalog item).")
final class BenchDetectCommand implements Callable<Integer> {
  @Mixin DataOptions data;
  @Mixin ModelOptions modelOptions;
  @Mixin OutputOptions output;

  @Option(
      names = "--types",
      split = ",",
      defaultValue = "CA+,CA-,SP-QA+,SP-QA-",
      description = "Attack types (default: ${DEFAULT-VALUE}).")
  List<String> types;

  @Mixin ProfileOption profile;

  @Option(
      names = "--eps",
      split = ",",
      converter = EpsilonConverter.class,
      description =
          "Budgets, as 0.03 or 8/255 (default: 0.03,0.1,0.3 for the paper profile, 4/255,8/255"
              + ",16/255 for rob224).")
  Double[] eps;

  @Option(
      names = "--limit",
      defaultValue = "40",
      description = "Attacks per type and eps (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(
      names = "--catalog",
      defaultValue = "3000",
      description =
          "Catalog items, the first test images; the first --calibration of them calibrate the"
              + " photo detector, the rest are judged (default: ${DEFAULT-VALUE}).")
  int catalog;

  @Option(
      names = "--calibration",
      defaultValue = "2000",
      description =
          "Benign scores that calibrate each per-event detector: catalog photos, and queries in"
              + " --calibration / --per-window windows (default: ${DEFAULT-VALUE}).")
  int calibration;

  @Option(
      names = "--pool",
      defaultValue = "200",
      description =
          "Popular queries: photos of the first N catalog items (default: ${DEFAULT-VALUE}).")
  int pool;

  @Option(
      names = "--per-window",
      defaultValue = "100",
      description = "Benign queries per monitor window (default: ${DEFAULT-VALUE}).")
  int perWindow;

  @Option(
      names = "--test-windows",
      defaultValue = "4",
      description = "Windows of mixed traffic after calibration (default: ${DEFAULT-VALUE}).")
  int testWindows;

  @Option(
      names = "--fpr",
      defaultValue = "0.005",
      description =
          "Target false-positive rate of the calibrated thresholds (default: ${DEFAULT-VALUE}).")
  double fpr;

  @Option(
      names = "--drift-fpr",
      defaultValue = "0.00025",
      description =
          "Target false-positive rate of the rank-drift thresholds, per item and window"
              + " (default: ${DEFAULT-VALUE}).")
  double driftFpr;

  @Option(
      names = "--thresholds",
      defaultValue = MonitorSettings.SOURCE_LIVE,
      description =
          "live: calibrate the score detectors on the replay's benign traffic (--calibration);"
              + " manifest: use the thresholds and clean scales in the model's manifest, as the"
              + " monitor does for the version it serves (default: ${DEFAULT-VALUE}).")
  String thresholds;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Seed of traffic and targets (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    if (limit < 1) {
      throw new IllegalArgumentException("--limit: must be >= 1, was " + limit);
    }
    if (perWindow < 10 || testWindows < 1) {
      throw new IllegalArgumentException(
          "--per-window must be >= 10 and --test-windows >= 1, were "
              + perWindow
              + ", "
              + testWindows);
    }
    if (calibration < 10 || calibration >= catalog) {
      throw new IllegalArgumentException(
          "--calibration: must be 10.." + (catalog - 1) + " (below --catalog), was " + calibration);
    }
    if (!thresholds.equals(MonitorSettings.SOURCE_LIVE)
        && !thresholds.equals(MonitorSettings.SOURCE_MANIFEST)) {
      throw new IllegalArgumentException(
          "--thresholds: must be live or manifest, was '" + thresholds + "'");
    }
    List<AttackType> attackTypes = types.stream().map(AttackType::parse).toList();
    AttackProfile attackProfile = profile.get();
    double[] epsilons =
        eps != null
            ? Arrays.stream(eps).mapToDouble(Double::doubleValue).toArray()
            : attackProfile == AttackProfile.ROB224
                ? new double[] {4 / 255.0, 8 / 255.0, 16 / 255.0}
                : new double[] {0.03, 0.1, 0.3};
    for (double e : epsilons) {
      if (!(e > 0 && e <= 1)) {
        throw new IllegalArgumentException("--eps: each must be in (0, 1], was " + e);
      }
    }
    // Photos at the model's input, as the ranker sees them.
    ImageDataset test = data.load(DatasetDirectory.Split.TEST, 0, null, modelOptions.spec());
    long t0 = System.nanoTime();
    List<DetectScores> rows = new ArrayList<>();
    double flatShare;
    // The monitor's state goes when the replay ends, also on an error or Ctrl-C (the hook).
    try (Shutdown cleanup = Shutdown.onJvmExit();
        TempDirectory state = cleanup.register(TempDirectory.create("advrank-bench-detect"));
        EmbeddingModel model = modelOptions.open(test);
        DetectScenario scenario = new DetectScenario(model, test, catalog, 10)) {
      MonitorSettings settings = settings(state.path());
      DetectRun run =
          new DetectRun(scenario, settings, versionThresholds(model), perWindow, testWindows, seed);
      for (AttackType type : attackTypes) {
        for (double e : epsilons) {
          AttackSpec spec = new AttackSpec(type, e, 1, seed, attackProfile);
          DetectScores s = run.score(spec, limit);
          rows.add(s);
          System.err.printf(
              "bench detect: %s eps %s done (%.0f s)%n",
              type, Epsilons.format(e), (System.nanoTime() - t0) / 1e9);
        }
      }
      flatShare = scenario.flatBackgroundShare();
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("model", modelOptions.dir.toString());
    json.put("catalog", catalog);
    json.put("queries_per_window", perWindow);
    json.put("calibration_scores", calibration);
    json.put("calibration_fpr", fpr);
    json.put("thresholds", thresholds);
    json.put("profile", profile.get().label());
    json.put("flat_background_share", flatShare);
    json.put("results", rows);
    json.put("seconds", (System.nanoTime() - t0) / 1e9);
    output.print(json, () -> table(rows, flatShare));
    return 0;
  }

  /**
   * With {@code --thresholds manifest}: the model's own thresholds, which must exist and be set for
   * {@code --fpr}; otherwise none (every detector calibrates on the replay).
   */
  private VersionThresholds versionThresholds(EmbeddingModel model) {
    VersionThresholds versions = new VersionThresholds(fpr);
    if (thresholds.equals(MonitorSettings.SOURCE_LIVE)) {
      return versions;
    }
    DetectorThresholds d = model.manifest() == null ? null : model.manifest().detection();
    if (d == null) {
      throw new IllegalArgumentException(
          "--thresholds manifest: "
              + modelOptions.dir
              + " has no detector thresholds in its manifest; calibrate it first (advrank models"
              + " calibrate "
              + modelOptions.dir
              + ") or use --thresholds live");
    }
    if (!versions.put(model.version(), d)) {
      throw new IllegalArgumentException(
          "--thresholds manifest: the manifest's thresholds were set for fpr "
              + d.falsePositiveRate()
              + ", not --fpr "
              + fpr);
    }
    return versions;
  }

  private MonitorSettings settings(Path state) {
    return new MonitorSettings(
        "advrank-bench-detect",
        DetectRun.WINDOW,
        calibration,
        // Calibration windows of queries: enough to hold the calibration scores; the first of
        // them only starts the items' drift baselines (DetectRun).
        Math.max(1, (calibration + perWindow - 1) / perWindow - 1),
        fpr,
        driftFpr,
        0.3,
        100,
        state,
        0,
        0,
        new KafkaSettings("in-process:9092", (short) 1),
        thresholds,
        null);
  }

  private String table(List<DetectScores> rows, double flatShare) {
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            "catalog %d items, %d benign queries per window, thresholds at %.1f%% benign false"
                + " positives of %s; QA scored per query event, CA per re-uploaded item%n",
            catalog,
            perWindow,
            100 * fpr,
            thresholds.equals(MonitorSettings.SOURCE_LIVE)
                ? calibration + " calibration scores"
                : "the model's manifest (clean images, as the monitor uses them)"));
    s.append(
        String.format(
            "%.0f%% of the scored images had a flat dark or white background (the speckle"
                + " statistic's); the others were scored by the squeezers alone%n",
            100 * flatShare));
    s.append(
        String.format(
            "%-7s %6s %-6s %5s %6s %9s %7s %7s %7s  %s%n",
            "attack",
            "eps",
            "unit",
            "n",
            "benign",
            "precision",
            "recall",
            "FPR",
            "ROC-AUC",
            "alerted attacked / benign subjects by signal"));
    for (DetectScores r : rows) {
      s.append(
          String.format(
              "%-7s %6s %-6s %5d %6d %9.3f %7.3f %7.4f %7.3f  %s / %s%n",
              r.attack(),
              Epsilons.format(r.epsilon()),
              r.unit(),
              r.positives(),
              r.negatives(),
              r.precision(),
              r.recall(),
              r.falsePositiveRate(),
              r.auc(),
              r.truePositivesBySignal(),
              r.falsePositivesBySignal()));
    }
    return s.toString();
  }
}
