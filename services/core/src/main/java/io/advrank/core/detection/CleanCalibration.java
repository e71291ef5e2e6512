package io.advrank.core.detection;

import ai.djl.Device;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelException;
import io.advrank.core.model.ModelManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntConsumer;

/**
 * Calibrates the monitor's score detectors for a model version on clean images, when the version is
 * made: the images go through the ranker's own scoring ({@link FeatureSqueeze}, as queries and as
 * catalog photos, in the ranker's batch sizes, each raw score in units of its own clean threshold)
 * and the thresholds are the monitor's own rule ({@link Thresholds#upper}). The result travels in
 * the version's manifest ({@link DetectorThresholds}).
 */
public final class CleanCalibration {
  /** Images scored by default: 2000 put the 0.5 % threshold on the 10th-largest benign score. */
  public static final int DEFAULT_IMAGES = 2000;

  /** The monitor's default target false-positive rate per subject. */
  public static final double DEFAULT_FPR = 0.005;

  // A ranker answers live queries in small batches and embeds catalog uploads in larger ones; the
  // squeezer's scale is updated per batch, so the batch size matters a little for the first images.
  static final int QUERY_BATCH = 16;
  static final int PHOTO_BATCH = 64;

  private CleanCalibration() {}

  /**
   * Scores the first {@code images} of {@code clean} (at the model's input) both ways and returns
   * the thresholds at {@code fpr}; {@code progress} receives the images scored so far (of three
   * times {@code images}: once for the scales, then as queries and as photos).
   */
  public static DetectorThresholds calibrate(
      EmbeddingModel model, ImageDataset clean, int images, double fpr, IntConsumer progress) {
    model.requireInputShape(clean);
    if (images < 10 || images > clean.size()) {
      throw new IllegalArgumentException(
          "calibration images must be 10.." + clean.size() + " (the clean set), got " + images);
    }
    // First the clean scales: each raw score's own threshold at fpr (the photo squeezer's raw
    // scores cover every score; all of them kept, not the running window). The joint score is the
    // largest of the scaled scores, so its threshold sits in the tail of whichever score has the
    // heaviest tail in those units. With medians as units a hardened version broke this: EST
    // makes most clean images all but immune to 4-bit rounding (on fmnist-c2f1-est the 4-bit
    // distance's clean median was 2e-6, its 99.5th percentile 505 times that), so the threshold
    // rose to 505 medians and buried the speckle score, which still separated every attacked
    // image (13 medians against a clean tail of 5). In units of their own thresholds every
    // score's benign tail ends near 1 whatever the model, and the joint threshold (the union's
    // false positives brought back to fpr) alerts when any one score leaves its tail.
    FeatureSqueeze first = FeatureSqueeze.joint(model.spec(), images);
    scores(model, clean, images, first, PHOTO_BATCH, null, 0, progress);
    ScoreScales scales = first.tails(fpr);
    FeatureSqueeze asQueries = FeatureSqueeze.of(model.spec());
    double[] queries =
        scores(model, clean, images, asQueries, QUERY_BATCH, scales, images, progress);
    FeatureSqueeze asPhotos = FeatureSqueeze.joint(model.spec());
    double[] photos =
        scores(model, clean, images, asPhotos, PHOTO_BATCH, scales, 2 * images, progress);
    return new DetectorThresholds(
        Thresholds.upper(queries, fpr), Thresholds.upper(photos, fpr), fpr, images, scales);
  }

  /**
   * Calibrates the saved model in {@code dir} (the weights as stored, e.g. float16, not the
   * in-memory ones they came from) and writes the thresholds into its manifest.
   *
   * @return the manifest as written
   */
  public static ModelManifest calibrateDirectory(
      Path dir, ImageDataset clean, int images, double fpr, Device device, IntConsumer progress)
      throws ModelException, IOException {
    try (EmbeddingModel model = EmbeddingModel.load(dir, device)) {
      ModelManifest calibrated =
          model.manifest().withDetection(calibrate(model, clean, images, fpr, progress));
      Files.writeString(dir.resolve(ModelManifest.FILE_NAME), calibrated.toJson());
      return calibrated;
    }
  }

  private static double[] scores(
      EmbeddingModel model,
      ImageDataset clean,
      int images,
      FeatureSqueeze squeeze,
      int batch,
      ScoreScales scales,
      int done,
      IntConsumer progress) {
    double[] out = new double[images];
    for (int from = 0; from < images; from += batch) {
      int n = Math.min(batch, images - from);
      int[] rows = new int[n];
      for (int i = 0; i < n; i++) {
        rows[i] = from + i;
      }
      float[] scores = squeeze.embedAndScore(model, clean.batch(rows), n, scales).scores();
      for (int i = 0; i < n; i++) {
        out[from + i] = scores[i];
      }
      progress.accept(done + from + n);
    }
    return out;
  }
}
