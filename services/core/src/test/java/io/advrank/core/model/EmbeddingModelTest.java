package io.advrank.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingModelTest {
  static final ModelSpec SPEC = ModelSpec.c2f1(1, 28, 28);
  static EmbeddingModel model;
  static float[] images;

  @TempDir Path tmp;

  @BeforeAll
  static void open() {
    model = EmbeddingModel.create(SPEC, 7, Device.cpu());
    images = randomImages(5, 11);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void hasThePapersParameterCount() {
    // conv1 32·25+32, conv2 64·32·25+64, linear 3136·1024+1024 = 3.26 M (docs/method.md)
    assertEquals(832 + 51_264 + 3_212_288, model.parameterCount());
  }

  @Test
  void largeImagesAreEmbeddedFewerAtATime() {
    assertEquals(256, EmbeddingModel.embedBatch(SPEC));
    assertEquals(256, EmbeddingModel.embedBatch(ModelSpec.c2f1(3, 32, 32)));
    assertEquals(111, EmbeddingModel.embedBatch(ModelSpec.c2f1(3, 112, 112)));
    assertEquals(27, EmbeddingModel.embedBatch(ModelSpec.c2f1(3, 224, 224)));
    assertEquals(1, EmbeddingModel.embedBatch(ModelSpec.c2f1(3, 2048, 2048)));
  }

  @Test
  void embeddingsHaveTheRightShapeAndUnitNorm() {
    Embeddings e = model.embed(images, 5);
    assertEquals(5, e.count());
    assertEquals(1024, e.dim());
    for (int i = 0; i < 5; i++) {
      double norm = 0;
      for (float v : e.row(i)) {
        norm += v * v;
      }
      assertEquals(1.0, Math.sqrt(norm), 1e-5);
    }
  }

  @Test
  void sameSeedGivesSameWeights() {
    try (EmbeddingModel again = EmbeddingModel.create(SPEC, 7, Device.cpu())) {
      assertArrayEquals(model.embed(images, 5).values(), again.embed(images, 5).values());
    }
  }

  @Test
  void float32SaveThenLoadGivesIdenticalEmbeddings() throws Exception {
    ModelManifest written = model.save(tmp, draft(), true);
    try (EmbeddingModel loaded = EmbeddingModel.load(tmp, Device.cpu())) {
      assertArrayEquals(model.embed(images, 5).values(), loaded.embed(images, 5).values());
      assertEquals(written, loaded.manifest());
      assertEquals("float32", loaded.manifest().weightsDtype());
    }
  }

  @Test
  void float16SaveIsCompactAndReloadsWithinRounding() throws Exception {
    model.save(tmp, draft());
    long bytes = Files.size(tmp.resolve("weights.ndlist"));
    assertTrue(bytes < 7_000_000, "fp16 weights should be ~6.5 MB, were " + bytes);
    try (EmbeddingModel loaded = EmbeddingModel.load(tmp, Device.cpu())) {
      float[] a = model.embed(images, 5).values();
      float[] b = loaded.embed(images, 5).values();
      for (int i = 0; i < a.length; i++) {
        assertEquals(a[i], b[i], 2e-3);
      }
      Path again = tmp.resolve("again");
      loaded.save(again, draft());
      try (EmbeddingModel reloaded = EmbeddingModel.load(again, Device.cpu())) {
        assertArrayEquals(b, reloaded.embed(images, 5).values());
      }
    }
  }

  @Test
  void tamperedWeightsAreRefused() throws Exception {
    model.save(tmp, draft());
    Path weights = tmp.resolve("weights.ndlist");
    byte[] bytes = Files.readAllBytes(weights);
    bytes[bytes.length / 2] ^= 0x40;
    Files.write(weights, bytes);
    ModelException e =
        assertThrows(ModelException.class, () -> EmbeddingModel.load(tmp, Device.cpu()));
    assertTrue(e.getMessage().contains("sha256"), e.getMessage());
  }

  @Test
  void anotherArchitectureIsRefused() throws Exception {
    model.save(tmp, draft());
    Path manifest = tmp.resolve(ModelManifest.FILE_NAME);
    Files.writeString(manifest, Files.readString(manifest).replace("\"c2f1\"", "\"resnet50\""));
    ModelException e =
        assertThrows(ModelException.class, () -> EmbeddingModel.load(tmp, Device.cpu()));
    assertTrue(e.getMessage().contains("resnet50"), e.getMessage());
  }

  @Test
  void weightsOfAnotherShapeAreRefused() throws Exception {
    model.save(tmp, draft());
    Path manifest = tmp.resolve(ModelManifest.FILE_NAME);
    Files.writeString(
        manifest,
        Files.readString(manifest).replace("\"embeddingSize\": 1024", "\"embeddingSize\": 512"));
    ModelException e =
        assertThrows(ModelException.class, () -> EmbeddingModel.load(tmp, Device.cpu()));
    assertTrue(e.getMessage().contains("shape"), e.getMessage());
  }

  @Test
  void aMissingDirectorySaysWhatItExpected() {
    ModelException e =
        assertThrows(
            ModelException.class, () -> EmbeddingModel.load(tmp.resolve("nope"), Device.cpu()));
    assertTrue(e.getMessage().contains("model directory"), e.getMessage());
  }

  @Test
  void manifestRecordsTrainingAndLineage() throws Exception {
    ModelManifest written = model.save(tmp, draft());
    assertEquals(SPEC, written.spec());
    assertEquals("parent-1", written.parentVersion());
    assertEquals("3", written.training().get("epochs"));
    assertNotEquals(null, written.weightsSha256());
    assertTrue(written.version().startsWith("c2f1-"));
  }

  @Test
  void averageTakesTheMeanOfEveryWeight() throws Exception {
    try (EmbeddingModel other = EmbeddingModel.create(SPEC, 8, Device.cpu());
        EmbeddingModel soup = EmbeddingModel.average(List.of(model, other))) {
      assertEveryWeightOnTheLine(model, other, soup, 0.5);
      assertTrue(soup.relativeDistance(model) > 0.1, "two seeds lie apart");
      assertEquals(soup.relativeDistance(model), soup.relativeDistance(other), 1e-3);
    }
  }

  @Test
  void aWeightedAverageIsThePointOfTheLineThroughItsMembers() throws Exception {
    try (EmbeddingModel other = EmbeddingModel.create(SPEC, 8, Device.cpu());
        EmbeddingModel mix = EmbeddingModel.average(List.of(model, other), new double[] {1, 3})) {
      assertEveryWeightOnTheLine(model, other, mix, 0.75);
      double fromOther = other.relativeDistance(mix);
      assertEquals(3 * fromOther, model.relativeDistance(mix), 1e-3 * fromOther, "3/4 of the way");
    }
    assertArrayEquals(
        new double[] {0.25, 0.75}, EmbeddingModel.shares(new double[] {1, 3}, 2, "w"));
    for (double[] bad : new double[][] {{1}, {-1, 2}, {0, 0}, {1, Double.NaN}}) {
      String message =
          assertThrows(IllegalArgumentException.class, () -> EmbeddingModel.shares(bad, 2, "--w"))
              .getMessage();
      assertTrue(message.startsWith("--w: "), message);
    }
  }

  @Test
  void averagingLeavesNoNativeArraysOnTheMembers() throws Exception {
    try (EmbeddingModel other = EmbeddingModel.create(SPEC, 9, Device.cpu())) {
      int before = model.manager().getManagedArrays().size();
      int otherBefore = other.manager().getManagedArrays().size();
      for (int i = 0; i < 3; i++) {
        try (EmbeddingModel soup = EmbeddingModel.average(List.of(model, other))) {
          soup.relativeDistance(model);
          assertEquals(otherBefore, soup.manager().getManagedArrays().size());
        }
      }
      assertEquals(before, model.manager().getManagedArrays().size());
      assertEquals(otherBefore, other.manager().getManagedArrays().size());
    }
  }

  @Test
  void theAverageOfOneModelWithItselfIsThatModel() throws Exception {
    try (EmbeddingModel soup = EmbeddingModel.average(List.of(model, model, model))) {
      assertArrayEquals(model.embed(images, 5).values(), soup.embed(images, 5).values(), 1e-6f);
      assertEquals(0.0, model.relativeDistance(soup), 1e-7);
    }
  }

  @Test
  void averageRefusesOneModelAndModelsOfAnotherSpec() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> EmbeddingModel.average(List.of(model)))
            .getMessage()
            .contains("at least 2 models"));
    try (EmbeddingModel rgb = EmbeddingModel.create(ModelSpec.c2f1(3, 28, 28), 7, Device.cpu())) {
      String message =
          assertThrows(
                  IllegalArgumentException.class, () -> EmbeddingModel.average(List.of(model, rgb)))
              .getMessage();
      assertTrue(message.contains("only models of one architecture and shape"), message);
    }
  }

  /** Every 997th value of every weight of {@code point} is {@code (1 − t)·a + t·b}. */
  private static void assertEveryWeightOnTheLine(
      EmbeddingModel a, EmbeddingModel b, EmbeddingModel point, double t) {
    var fromA = a.parameters().iterator();
    var fromB = b.parameters().iterator();
    for (var p : point.parameters()) {
      float[] x = fromA.next().getValue().getArray().toFloatArray();
      float[] y = fromB.next().getValue().getArray().toFloatArray();
      float[] values = p.getValue().getArray().toFloatArray();
      for (int j = 0; j < values.length; j += 997) {
        assertEquals((1 - t) * x[j] + t * y[j], values[j], 1e-7, p.getKey() + "[" + j + "]");
      }
    }
  }

  static ModelManifest draft() {
    return new ModelManifest(
        ModelManifest.FORMAT_VERSION,
        null,
        "parent-1",
        null,
        0,
        null,
        null,
        null,
        "2026-01-01T00:00:00Z",
        Map.of("epochs", "3"),
        Map.of("r_at_1", 0.5),
        null);
  }

  static float[] randomImages(int n, long seed) {
    Random r = new Random(seed);
    float[] x = new float[n * 784];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextFloat();
    }
    return x;
  }
}
