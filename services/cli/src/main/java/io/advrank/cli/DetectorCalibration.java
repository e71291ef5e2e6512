package io.advrank.cli;

import ai.djl.Device;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.detection.CleanCalibration;
import io.advrank.core.detection.DetectorThresholds;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelException;
import io.advrank.core.model.ModelManifest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.IntStream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The version-makers' last step ({@code train}, {@code models import --data}, the demo for a
 * version without thresholds): the monitor's detector thresholds calibrated on clean images ({@link
 * CleanCalibration}), with a progress bar on stderr. The clean images are the last {@value
 * CleanCalibration#DEFAULT_IMAGES} of the given set (the test split): the demo's catalog is the
 * split's first images.
 */
final class DetectorCalibration {
  private DetectorCalibration() {}

  /** Calibrates the saved model in {@code dir} and writes the thresholds into its manifest. */
  static ModelManifest directory(Path dir, ImageDataset clean, Device device, boolean quiet)
      throws ModelException, IOException {
    ImageDataset tail = tail(clean);
    try (Bar bar = new Bar(quiet, tail.size())) {
      return CleanCalibration.calibrateDirectory(
          dir, tail, tail.size(), CleanCalibration.DEFAULT_FPR, device, bar::stepTo);
    }
  }

  /** The thresholds of an open model. */
  static DetectorThresholds model(EmbeddingModel model, ImageDataset clean, boolean quiet) {
    ImageDataset tail = tail(clean);
    try (Bar bar = new Bar(quiet, tail.size())) {
      return CleanCalibration.calibrate(
          model, tail, tail.size(), CleanCalibration.DEFAULT_FPR, bar::stepTo);
    }
  }

  private static ImageDataset tail(ImageDataset clean) {
    int n = Math.min(clean.size(), CleanCalibration.DEFAULT_IMAGES);
    if (n < 10) {
      throw new IllegalArgumentException(
          "--data: "
              + clean.name()
              + " has "
              + clean.size()
              + " test images; calibrating the"
              + " detectors needs at least 10");
    }
    return clean.subset(
        IntStream.range(clean.size() - n, clean.size()).toArray(),
        clean.name() + "[last " + n + "]");
  }

  /**
   * A progress bar over the images scored twice (for the scales, as queries, as photos), or none.
   */
  private static final class Bar implements AutoCloseable {
    private final ProgressBar bar;

    Bar(boolean quiet, int images) {
      this.bar =
          quiet
              ? null
              : new ProgressBarBuilder()
                  .setTaskName("calibrating detectors")
                  .setInitialMax(3L * images)
                  .setStyle(ProgressBarStyle.ASCII)
                  .setUnit(" images", 1)
                  .continuousUpdate()
                  .build();
    }

    void stepTo(int done) {
      if (bar != null) {
        bar.stepTo(done);
      }
    }

    @Override
    public void close() {
      if (bar != null) {
        bar.close();
      }
    }
  }
}
