package io.advrank.serving;

import ai.djl.Device;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelSpec;
import io.advrank.core.model.ReceivedModel;
import io.advrank.runtime.model.AssembledModel;
import io.advrank.runtime.model.ModelFeed;
import io.advrank.runtime.model.ModelRefusedException;
import io.advrank.runtime.model.Refusal;

/**
 * Loads a version from {@code advrank.models} for a service, refusing one it cannot serve ({@link
 * ReceivedModel}: another spec, or mismatched sha256) with the matching {@link Refusal}.
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
    try {
      return ReceivedModel.open(
          version.manifestJson(), version.weights(), version.sha256(), served, source, device);
    } catch (ReceivedModel.RefusedException e) {
      throw new ModelRefusedException(Refusal.valueOf(e.problem().name()), e.getMessage(), e);
    }
  }
}
