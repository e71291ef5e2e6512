package io.advrank.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.advrank.core.data.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link EmbeddingModel#toNative}: a TorchScript rc2f2 becomes the native rc2f2, same function. */
class NativeConversionTest {
  private static final Path FIXTURE = Fixtures.rc2f2Mini();

  @TempDir Path tmp;

  private EmbeddingModel imported(String file) throws ModelException {
    Path dir = tmp.resolve(file + "-imported");
    ModelImport.run(
        FIXTURE.resolve(file),
        new ModelImport.Options(1, 4, 4, List.of(), List.of(), ModelSpec.COSINE, null),
        dir,
        Device.cpu());
    return EmbeddingModel.load(dir, Device.cpu());
  }

  @Test
  void anRc2f2ModuleBecomesTheNativeRc2f2WithTheSameEmbeddings() throws Exception {
    try (EmbeddingModel scripted = imported("rc2f2.pt");
        EmbeddingModel converted = scripted.toNative(ModelSpec.RC2F2)) {
      assertEquals(new ModelSpec(ModelSpec.RC2F2, 16, 1, 4, 4), converted.spec());
      assertEquals(scripted.parameterCount(), converted.parameterCount());
      // Inference (advrank's strided max-pool) and the gradient path (channels-last) both agree.
      assertTrue(scripted.maxDifference(converted, 64) < 1e-5);
      try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
        NDArray x = m.randomUniform(0, 1, EmbeddingModel.inputShape(converted.spec(), 32));
        NDArray a = scripted.forward(x, false);
        NDArray b = converted.forward(x, false);
        assertTrue(a.sub(b).abs().max().getFloat() < 1e-5);
      }

      ModelManifest saved = converted.save(tmp.resolve("native"), manifestFor(scripted, converted));
      assertEquals("float16", saved.weightsDtype());
      assertTrue(saved.version().startsWith("rc2f2-"), saved.version());
      long half = Files.size(FIXTURE.resolve("rc2f2.pt")) / 2;
      long stored = WeightsFiles.size(tmp.resolve("native"), saved.weightsFile());
      assertTrue(stored < half * 1.05, stored + " bytes against half the module's " + half);
      try (EmbeddingModel reloaded = EmbeddingModel.load(tmp.resolve("native"), Device.cpu())) {
        // float16 weights: 11 significant bits, errors of ~1e-3 in a unit vector's values.
        assertTrue(scripted.maxDifference(reloaded, 64) < 1e-2);
      }
    }
  }

  @Test
  void anRc2f2AtOtherWidthsConvertsAtThoseWidthsAndKeepsThemThroughSaveAndLoad() throws Exception {
    try (EmbeddingModel scripted = imported("rc2f2-narrow.pt");
        EmbeddingModel converted = scripted.toNative(ModelSpec.RC2F2)) {
      assertEquals("rc2f2 1x4x4 -> 16 (filters 3,5, hidden 7)", converted.describe());
      assertEquals(scripted.parameterCount(), converted.parameterCount());
      assertTrue(scripted.maxDifference(converted, 64) < 1e-5);

      ModelManifest saved = converted.save(tmp.resolve("narrow"), manifestFor(scripted, converted));
      try (EmbeddingModel reloaded = EmbeddingModel.load(tmp.resolve("narrow"), Device.cpu())) {
        assertEquals(converted.describe(), reloaded.describe());
        assertEquals(converted.parameterCount(), reloaded.parameterCount());
        assertTrue(scripted.maxDifference(reloaded, 64) < 1e-2);
      }
      assertTrue(saved.version().startsWith("rc2f2-"), saved.version());

      // Averaging needs one width: a fresh rc2f2 at robrank's widths has other shapes.
      try (EmbeddingModel robranks =
          EmbeddingModel.create(new ModelSpec(ModelSpec.RC2F2, 16, 1, 4, 4), 0, Device.cpu())) {
        assertEquals("rc2f2 1x4x4 -> 16", robranks.describe());
        IllegalArgumentException e =
            assertThrows(
                IllegalArgumentException.class,
                () -> EmbeddingModel.average(List.of(converted, robranks)));
        assertTrue(e.getMessage().contains("only models of one width average"), e.getMessage());
      }
    }
  }

  private static ModelManifest manifestFor(EmbeddingModel parent, EmbeddingModel model) {
    return new ModelManifest(
        ModelManifest.FORMAT_VERSION,
        null,
        parent.version(),
        model.spec(),
        0,
        null,
        null,
        null,
        Instant.now().toString(),
        Map.of(),
        Map.of(),
        null);
  }

  @Test
  void refusesAModuleWithTheShapesButAnotherFunction() throws Exception {
    try (EmbeddingModel scripted = imported("c2f1-tanh.pt")) {
      ModelException e =
          assertThrows(ModelException.class, () -> scripted.toNative(ModelSpec.C2F1));
      assertTrue(e.getMessage().contains("another function than c2f1"), e.getMessage());
    }
  }

  @Test
  void refusesAModuleOfAnotherArchitectureNamingTheParameterCount() throws Exception {
    try (EmbeddingModel scripted = imported("rc2f2.pt")) {
      ModelException e =
          assertThrows(ModelException.class, () -> scripted.toNative(ModelSpec.C2F1));
      assertTrue(e.getMessage().contains("has 8 parameter arrays"), e.getMessage());
      assertTrue(e.getMessage().contains("c2f1 1x4x4 -> 16 has 6"), e.getMessage());
    }
  }

  @Test
  void convertsOnlyTorchScriptToANativeArchitecture() throws Exception {
    try (EmbeddingModel scripted = imported("rc2f2.pt");
        EmbeddingModel nativeModel =
            EmbeddingModel.create(new ModelSpec(ModelSpec.RC2F2, 16, 1, 4, 4), 0, Device.cpu())) {
      IllegalArgumentException notNative =
          assertThrows(IllegalArgumentException.class, () -> scripted.toNative("resnet"));
      assertTrue(notNative.getMessage().contains("accepted: c2f1, rc2f2"), notNative.getMessage());
      assertThrows(IllegalArgumentException.class, () -> nativeModel.toNative(ModelSpec.C2F1));
    }
  }
}
