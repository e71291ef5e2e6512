package io.advrank.core.model;

import static io.advrank.core.model.EmbeddingModelTest.draft;
import static io.advrank.core.model.EmbeddingModelTest.randomImages;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnsembleModelTest {
  static EmbeddingModel c2f1;
  static EmbeddingModel rc2f2;
  static EmbeddingModel ensemble;
  static float[] images;

  @TempDir Path tmp;

  @BeforeAll
  static void open() {
    c2f1 = EmbeddingModel.create(ModelSpec.c2f1(1, 28, 28), 7, Device.cpu());
    rc2f2 = EmbeddingModel.create(new ModelSpec(ModelSpec.RC2F2, 512, 1, 28, 28), 8, Device.cpu());
    ensemble = EmbeddingModel.ensemble(List.of(c2f1, rc2f2));
    images = randomImages(4, 11);
  }

  @AfterAll
  static void close() {
    ensemble.close();
    rc2f2.close();
    c2f1.close();
  }

  @Test
  void itEmbedsWithEveryMemberSideBySideAsOneUnitVector() {
    assertEquals("ensemble 1x28x28 -> 1536 (c2f1 -> 1024 + rc2f2 -> 512)", ensemble.describe());
    assertEquals(c2f1.parameterCount() + rc2f2.parameterCount(), ensemble.parameterCount());
    Embeddings joined = ensemble.embed(images, 4);
    Embeddings a = c2f1.embed(images, 4);
    Embeddings b = rc2f2.embed(images, 4);
    double root2 = Math.sqrt(2);
    for (int i = 0; i < 4; i++) {
      float[] row = joined.row(i);
      for (int j = 0; j < 1024; j++) {
        assertEquals(a.row(i)[j] / root2, row[j], 1e-6);
      }
      for (int j = 0; j < 512; j++) {
        assertEquals(b.row(i)[j] / root2, row[1024 + j], 1e-6);
      }
      assertEquals(1.0, dot(row, row), 1e-5);
    }
    // ranked by the mean of the members' cosine similarities
    assertEquals(
        (dot(a.row(0), a.row(1)) + dot(b.row(0), b.row(1))) / 2,
        dot(joined.row(0), joined.row(1)),
        1e-5);
  }

  @Test
  void itSavesAndLoadsAsOneModelDirectory() throws Exception {
    try (EmbeddingModel twins = EmbeddingModel.ensemble(List.of(rc2f2, rc2f2))) {
      assertEquals("ensemble 1x28x28 -> 1024 (2 × rc2f2 -> 512)", twins.describe());
      ModelManifest written = twins.save(tmp, draft(), true);
      assertTrue(written.version().startsWith("ensemble-"), written.version());
      // 30 MB of float32 weights, in parts that fit a repository's 10 MB limit for a file
      assertEquals(4, Files.list(tmp).filter(f -> f.toString().contains(".ndlist.")).count());
      assertTrue(Files.size(tmp.resolve("weights.ndlist.1")) <= WeightsFiles.PART_BYTES);
      try (EmbeddingModel loaded = EmbeddingModel.load(tmp, Device.cpu())) {
        assertEquals(written, loaded.manifest());
        assertEquals(twins.describe(), loaded.describe());
        assertArrayEquals(twins.embed(images, 4).values(), loaded.embed(images, 4).values());
      }
    }
  }

  @Test
  void inputGradientsAreTheMembersOverRootTwo() {
    try (NDManager step = ensemble.manager().newSubManager()) {
      NDArray w = step.randomUniform(-1, 1, new Shape(4, 1536));
      float[] joined = inputGradient(ensemble, w, step);
      float[] first = inputGradient(c2f1, w.get(":, 0:1024"), step);
      float[] second = inputGradient(rc2f2, w.get(":, 1024:"), step);
      for (int i = 0; i < joined.length; i++) {
        assertEquals((first[i] + second[i]) / Math.sqrt(2), joined[i], 1e-5, "pixel " + i);
      }
    }
  }

  @Test
  void joiningLeavesNoNativeArraysOnTheMembers() {
    int before = c2f1.manager().getManagedArrays().size();
    for (int i = 0; i < 3; i++) {
      EmbeddingModel.ensemble(List.of(c2f1, rc2f2)).close();
    }
    assertEquals(before, c2f1.manager().getManagedArrays().size());
    int own = ensemble.manager().getManagedArrays().size();
    ensemble.embed(images, 4);
    assertEquals(own, ensemble.manager().getManagedArrays().size());
  }

  @Test
  void itRefusesOneModelAnotherInputAndAnEnsembleAsAMemberAndDoesNotAverage() {
    assertMessage(
        "members: an ensemble needs at least 2 models, got 1",
        () -> EmbeddingModel.ensemble(List.of(c2f1)));
    try (EmbeddingModel rgb = EmbeddingModel.create(ModelSpec.c2f1(3, 28, 28), 7, Device.cpu())) {
      assertMessage(
          "an ensemble's members take one input shape",
          () -> EmbeddingModel.ensemble(List.of(c2f1, rgb)));
    }
    assertMessage(
        "only native networks join an ensemble",
        () -> EmbeddingModel.ensemble(List.of(c2f1, ensemble)));
    assertMessage(
        "an ensemble does not average", () -> EmbeddingModel.average(List.of(ensemble, ensemble)));
  }

  @Test
  void aDirectoryWhoseWeightsAreNotAnEnsembleIsRefused() throws Exception {
    c2f1.save(tmp, draft());
    rewriteManifest("\"c2f1\"", "\"ensemble\"");
    assertLoadFails("holds 1 network, an ensemble has at least 2");

    ensemble.save(tmp, draft());
    rewriteManifest("\"embeddingSize\": 1536", "\"embeddingSize\": 1024");
    assertLoadFails("its 2 members embed in 1536 values together, the manifest says 1024");
  }

  private void rewriteManifest(String from, String to) throws Exception {
    Path manifest = tmp.resolve(ModelManifest.FILE_NAME);
    String json = Files.readString(manifest);
    assertTrue(json.contains(from), json);
    Files.writeString(manifest, json.replace(from, to));
  }

  private void assertLoadFails(String expected) {
    String message =
        assertThrows(ModelException.class, () -> EmbeddingModel.load(tmp, Device.cpu()))
            .getMessage();
    assertTrue(message.contains(expected), message);
  }

  /** d⟨f(x), w⟩/dx for the test images. */
  private static float[] inputGradient(EmbeddingModel model, NDArray w, NDManager step) {
    NDArray x = step.create(images, EmbeddingModel.inputShape(model.spec(), 4));
    x.setRequiresGradient(true);
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      collector.backward(model.forward(x, false).mul(w).sum());
    }
    return x.getGradient().toFloatArray();
  }

  private static void assertMessage(String expected, Runnable call) {
    String message = assertThrows(IllegalArgumentException.class, call::run).getMessage();
    assertTrue(message.contains(expected), message);
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
