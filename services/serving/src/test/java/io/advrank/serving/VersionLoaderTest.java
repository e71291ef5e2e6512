package io.advrank.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelSpec;
import io.advrank.runtime.model.AssembledModel;
import io.advrank.runtime.model.ModelRefusedException;
import io.advrank.runtime.model.Refusal;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each way a received version is refused, and the refusal (metric label) it maps to. */
class VersionLoaderTest {
  private static final Path SHIPPED = Path.of("../../models/fmnist-c2f1");
  private static final ModelSpec SERVED = ModelSpec.c2f1(1, 28, 28);
  private static AssembledModel shipped;

  @BeforeAll
  static void readShippedModel() throws Exception {
    shipped =
        AssembledModel.of(
            "v2",
            "",
            Files.readString(SHIPPED.resolve("manifest.json")),
            1,
            Files.readAllBytes(SHIPPED.resolve("weights.ndlist")));
  }

  private static Refusal refusal(ModelSpec served, AssembledModel version) {
    VersionLoader loader = new VersionLoader(served, Device.cpu());
    ModelRefusedException e = assertThrows(ModelRefusedException.class, () -> loader.load(version));
    assertTrue(e.getMessage().contains("advrank.models/v2"), e.getMessage());
    return e.refusal();
  }

  @Test
  void loadsAVersionOfTheServedSpec() throws Exception {
    try (EmbeddingModel m = new VersionLoader(SERVED, Device.cpu()).load(shipped)) {
      assertEquals(SERVED, m.spec());
      assertEquals(1024, m.embed(new float[SERVED.imageSize()], 1).row(0).length);
    }
  }

  @Test
  void refusesAnotherInputShapeAsIncompatible() {
    assertEquals(Refusal.INCOMPATIBLE, refusal(ModelSpec.c2f1(1, 4, 4), shipped));
  }

  @Test
  void refusesAManifestWhoseSha256DiffersFromTheChunksAsTampered() {
    AssembledModel other =
        new AssembledModel("v2", "", shipped.manifestJson(), 1, "0".repeat(64), shipped.weights());
    assertEquals(Refusal.TAMPERED, refusal(SERVED, other));
  }

  @Test
  void refusesWeightsThatDoNotMatchTheirManifestAsLoadFailed() {
    byte[] damaged = shipped.weights().clone();
    damaged[damaged.length / 2] ^= 1;
    AssembledModel other =
        new AssembledModel("v2", "", shipped.manifestJson(), 1, shipped.sha256(), damaged);
    assertEquals(Refusal.LOAD_FAILED, refusal(SERVED, other));
  }
}
