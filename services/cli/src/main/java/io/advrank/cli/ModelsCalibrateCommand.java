package io.advrank.cli;

import io.advrank.core.data.DataException;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.model.ModelException;
import io.advrank.core.model.ModelManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code advrank models calibrate DIR}: the monitor's detector thresholds for a model directory
 * made before they existed (or by hand), calibrated on clean test images by the ranker's scoring
 * and the monitor's rule ({@link DetectorCalibration}) and written into its manifest, so that
 * {@code models publish} ships them with the version. The weights are not touched.
 */
@Command(
    name = "calibrate",
    mixinStandardHelpOptions = true,
    description = {
      "Calibrate the monitor's detector thresholds of a model directory on clean photos (the last"
          + " 2000 of the test split of --data) and write them into its manifest.json; the"
          + " monitor uses a version's thresholds from its first event.",
      "Example: advrank models calibrate models/fmnist-c2f1"
    })
final class ModelsCalibrateCommand implements Callable<Integer> {
  @Mixin OutputOptions output;
  @Mixin DataOptions data;
  @Mixin DeviceOption device;

  @Parameters(index = "0", paramLabel = "DIR", description = "A model directory.")
  Path dir;

  @Option(
      names = "--force",
      description = "Recalibrate a manifest that has thresholds already (default: refuse).")
  boolean force;

  @Override
  public Integer call() throws ModelException, DataException, IOException {
    Path manifestFile = dir.resolve(ModelManifest.FILE_NAME);
    if (!Files.isRegularFile(manifestFile)) {
      throw new IllegalArgumentException(
          "DIR: " + dir + " is not a model directory (no " + ModelManifest.FILE_NAME + ")");
    }
    ModelManifest before =
        ModelManifest.fromJson(Files.readString(manifestFile), manifestFile.toString());
    if (before.detection() != null && !force) {
      throw new IllegalArgumentException(
          "DIR: "
              + dir
              + " has detector thresholds already (calibrated on "
              + before.detection().images()
              + " images); --force recalibrates");
    }
    ModelManifest m =
        DetectorCalibration.directory(
            dir,
            data.load(DatasetDirectory.Split.TEST, 0, null, before.spec()),
            device.resolve(),
            output.quietProgress());
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("dir", dir.toString());
    json.put("version", m.version());
    json.put("detection", m.detection());
    output.print(
        json,
        () ->
            String.format(
                Locale.ROOT,
                "%s (%s): detector thresholds on %d clean photos at %.1f%% false positives:"
                    + " query_hijack > %.3f, photo_inconsistency > %.3f%n",
                dir,
                m.version(),
                m.detection().images(),
                100 * m.detection().falsePositiveRate(),
                m.detection().queryHijack(),
                m.detection().catalogPhoto()));
    return 0;
  }
}
