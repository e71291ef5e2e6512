package io.advrank.defensetrainer;

import ai.djl.Device;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.detection.CleanCalibration;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelException;
import io.advrank.core.model.ModelManifest;
import io.advrank.core.model.WeightsFiles;
import io.advrank.runtime.lifecycle.TempDirectory;
import io.advrank.runtime.model.AssembledModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/** Between in-memory models and the versions that travel on {@code advrank.models}. */
final class Versions {
  private Versions() {}

  /** Opens a version (the sha256 is checked against its manifest). */
  static EmbeddingModel open(AssembledModel version, Device device) throws ModelException {
    ModelManifest manifest = ModelManifest.fromJson(version.manifestJson(), version.version());
    return EmbeddingModel.load(manifest, version.weights(), version.version(), device);
  }

  /** A model directory as a version, keeping its manifest's id and creation time. */
  static AssembledModel fromDirectory(Path dir) throws ModelException {
    try {
      ModelManifest m =
          ModelManifest.fromJson(
              Files.readString(dir.resolve(ModelManifest.FILE_NAME)), dir.toString());
      byte[] weights = WeightsFiles.read(dir, m.weightsFile());
      long created = m.createdAt() == null ? 0 : Instant.parse(m.createdAt()).toEpochMilli();
      String parent = m.parentVersion() == null ? "" : m.parentVersion();
      return AssembledModel.of(m.version(), parent, m.toJson(), created, weights);
    } catch (IOException e) {
      throw new ModelException(dir + ": cannot read the model (" + e.getMessage() + ")", e);
    }
  }

  /**
   * {@code model}'s current weights as a new version (float16, as every shipped model), with its
   * lineage, how it was trained, the figures that let it through the gate and the monitor's
   * detector thresholds, calibrated on the saved weights with the {@code clean} images.
   */
  static AssembledModel snapshot(
      EmbeddingModel model,
      String version,
      String parent,
      Instant now,
      Map<String, String> training,
      Map<String, Double> metrics,
      ImageDataset clean,
      Device device) {
    // Deleted on return or error; at JVM exit too, should Ctrl-C come in the middle.
    try (TempDirectory temp = TempDirectory.create("advrank-version-").alsoAtExit()) {
      Path dir = temp.path();
      ModelManifest written =
          model.save(
              dir,
              new ModelManifest(
                  ModelManifest.FORMAT_VERSION,
                  version,
                  parent,
                  model.spec(),
                  0,
                  null,
                  null,
                  null,
                  now.toString(),
                  training,
                  metrics,
                  null));
      written =
          CleanCalibration.calibrateDirectory(
              dir,
              clean,
              Math.min(clean.size(), CleanCalibration.DEFAULT_IMAGES),
              CleanCalibration.DEFAULT_FPR,
              device,
              done -> {});
      byte[] weights = WeightsFiles.read(dir, written.weightsFile());
      return AssembledModel.of(version, parent, written.toJson(), now.toEpochMilli(), weights);
    } catch (IOException e) {
      throw new UncheckedIOException("writing version " + version, e);
    } catch (ModelException e) {
      throw new IllegalStateException("calibrating version " + version + ": " + e.getMessage(), e);
    }
  }
}
