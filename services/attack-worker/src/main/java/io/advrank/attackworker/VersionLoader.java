package io.advrank.attackworker;

import ai.djl.Device;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelException;
import io.advrank.core.model.ModelManifest;
import io.advrank.core.model.ModelSpec;
import io.advrank.runtime.model.AssembledModel;
import io.advrank.runtime.model.ModelFeed;
import io.advrank.runtime.model.ModelRefusedException;
import io.advrank.runtime.model.Refusal;

/**
 * Loads a version from {@code advrank.models} for the attack-worker, refusing one it cannot serve:
 * a manifest for another architecture, input shape or embedding size (the catalog and the queries
 * are images of one shape), or weights whose sha256 differs from the manifest's.
 */
final class VersionLoader implements ModelFeed.Loader<EmbeddingModel> {
  private final ModelSpec served;
  private final Device device;

  VersionLoader(ModelSpec served, Device device) {
    this.served = served;
    this.device = device;
  }

  @Override
  public EmbeddingModel load(AssembledModel version) throws ModelRefusedException {
    String source = "advrank.models/" + version.version();
    ModelManifest manifest;
    try {
      manifest = ModelManifest.fromJson(version.manifestJson(), source);
    } catch (ModelException e) {
      throw new ModelRefusedException(Refusal.INCOMPATIBLE, e.getMessage(), e);
    }
    if (!served.equals(manifest.spec())) {
      throw new ModelRefusedException(
          Refusal.INCOMPATIBLE,
          source
              + " is "
              + manifest.spec().describe()
              + ", this service serves "
              + served.describe());
    }
    if (!version.sha256().equals(manifest.weightsSha256())) {
      throw new ModelRefusedException(
          Refusal.TAMPERED, source + ": the manifest's sha256 differs from the chunks'");
    }
    try {
      return EmbeddingModel.load(manifest, version.weights(), source, device);
    } catch (ModelException e) {
      throw new ModelRefusedException(Refusal.LOAD_FAILED, e.getMessage(), e);
    }
  }

  /** Epoch milliseconds of a manifest's ISO-8601 {@code createdAt}, or 0 if it has none. */
  static long createdAtMs(ModelManifest manifest) {
    try {
      return manifest == null || manifest.createdAt() == null
          ? 0
          : java.time.Instant.parse(manifest.createdAt()).toEpochMilli();
    } catch (java.time.format.DateTimeParseException e) {
      return 0;
    }
  }
}
