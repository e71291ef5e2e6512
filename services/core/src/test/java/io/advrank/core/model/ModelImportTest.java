package io.advrank.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.advrank.core.data.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelImportTest {
  static final List<Double> MEAN = List.of(0.485, 0.456, 0.406);
  static final List<Double> STD = List.of(0.229, 0.224, 0.225);
  static final Path FIXTURE = Fixtures.rgbMini();

  @TempDir Path tmp;

  static ModelImport.Options rgb(int channels, int side) {
    return new ModelImport.Options(channels, side, side, MEAN, STD, "cosine", null);
  }

  static ModelImport.Options rgb32() {
    return rgb(3, 32);
  }

  @Test
  void writesAManifestWithTheProbedEmbeddingSize() throws Exception {
    ModelManifest m = ModelImport.run(FIXTURE.resolve("model.pt"), rgb32(), tmp, Device.cpu());
    assertEquals(ModelSpec.TORCHSCRIPT, m.spec().architecture());
    assertEquals(64, m.spec().embeddingSize());
    assertEquals(MEAN, m.spec().mean());
    assertEquals("model.pt", m.weightsFile());
    assertTrue(m.version().startsWith("model-"), m.version());
    assertEquals(
        WeightsCodec.sha256(Files.readAllBytes(FIXTURE.resolve("model.pt"))), m.weightsSha256());
    // Parameters of conv 16/32/64 (3x3) with batch norm, and the 1024 -> 64 linear layer.
    long convs = (3 * 9 * 16 + 16) + (16 * 9 * 32 + 32) + (32 * 9 * 64 + 64);
    assertEquals(convs + 2 * (16 + 32 + 64) + 1024 * 64 + 64, m.parameterCount());
    assertEquals(m, ModelManifest.fromJson(Files.readString(tmp.resolve("manifest.json")), "m"));
  }

  /**
   * advrank runs the module as PyTorch does: the embeddings of the probe batch equal PyTorch's
   * (reference.json, written by the fixture script), L2-normalised. Bound: both sides compute in
   * float32 with other kernels (PyTorch 1.13 + OpenBLAS there, libtorch 2.7.1 + oneDNN here); the
   * largest dot product in the network has 1024 terms, so each raw output carries a relative error
   * of at most ~1024 · 2⁻²⁴ ≈ 6e-5 of its terms' magnitude, below 1e-4 after normalisation.
   */
  @Test
  void embedsTheProbeBatchAsPyTorchDoes() throws Exception {
    ModelImport.run(FIXTURE.resolve("model.pt"), rgb32(), tmp, Device.cpu());
    JsonObject ref =
        JsonParser.parseString(Files.readString(FIXTURE.resolve("reference.json")))
            .getAsJsonObject();
    var rows = ref.getAsJsonArray("raw_output");
    float[] probe = new float[2 * 3 * 32 * 32];
    for (int i = 0; i < probe.length; i++) {
      probe[i] = (i % 255) / 255f;
    }
    try (EmbeddingModel model = EmbeddingModel.load(tmp, Device.cpu())) {
      Embeddings e = model.embed(probe, 2);
      for (int r = 0; r < 2; r++) {
        var row = rows.get(r).getAsJsonArray();
        double norm = 0;
        for (var v : row) {
          norm += v.getAsDouble() * v.getAsDouble();
        }
        norm = Math.sqrt(norm);
        for (int j = 0; j < 64; j++) {
          assertEquals(row.get(j).getAsDouble() / norm, e.row(r)[j], 1e-4, "row " + r + " " + j);
        }
      }
    }
  }

  @Test
  void refusesAFileThatIsNotTorchScript() throws IOException {
    Path text = Files.writeString(tmp.resolve("weights.pt"), "not a model");
    ModelException e =
        assertThrows(
            ModelException.class,
            () -> ModelImport.run(text, rgb32(), tmp.resolve("out"), Device.cpu()));
    assertTrue(e.getMessage().contains("not a TorchScript file"), e.getMessage());
    assertTrue(Files.notExists(tmp.resolve("out")));
  }

  @Test
  void refusesAZipThatIsNotATorchScriptModule() throws IOException {
    Path zip = tmp.resolve("state_dict.pt");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
      out.putNextEntry(new ZipEntry("archive/data.pkl"));
      out.write(new byte[] {1, 2, 3});
    }
    ModelException e =
        assertThrows(
            ModelException.class,
            () -> ModelImport.run(zip, rgb32(), tmp.resolve("out"), Device.cpu()));
    assertTrue(e.getMessage().contains("not a TorchScript module"), e.getMessage());
  }

  @Test
  void refusesAnInputShapeTheModuleRejects() {
    for (ModelImport.Options wrong : List.of(rgb(3, 16), rgbGrey())) {
      ModelException e =
          assertThrows(
              ModelException.class,
              () -> ModelImport.run(FIXTURE.resolve("model.pt"), wrong, tmp, Device.cpu()));
      assertTrue(e.getMessage().contains("the module rejects input"), e.getMessage());
      assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
  }

  private static ModelImport.Options rgbGrey() {
    return new ModelImport.Options(1, 32, 32, List.of(), List.of(), "cosine", null);
  }

  @Test
  void refusesModulesThatDoNotEmbedOrHaveNoInputGradient() {
    assertRefused("tuple-output.pt", "returns 2 tensors");
    assertRefused("per-pixel-output.pt", "not one embedding per image");
    assertRefused("nan-output.pt", "NaN or Inf");
    assertRefused("detached.pt", "gradient");
  }

  @Test
  void refusesAnUnknownDistance() {
    var options = new ModelImport.Options(3, 32, 32, MEAN, STD, "euclidean", null);
    ModelException e =
        assertThrows(
            ModelException.class,
            () -> ModelImport.run(FIXTURE.resolve("model.pt"), options, tmp, Device.cpu()));
    assertTrue(e.getMessage().contains("distance: unknown 'euclidean'"), e.getMessage());
  }

  private void assertRefused(String file, String expected) {
    ModelException e =
        assertThrows(
            ModelException.class,
            () ->
                ModelImport.run(
                    FIXTURE.resolve("bad").resolve(file), rgb32(), tmp.resolve(file), Device.cpu()),
            file);
    assertTrue(e.getMessage().contains(expected), file + ": " + e.getMessage());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
  }
}
