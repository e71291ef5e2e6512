package io.advrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelManifest;
import io.advrank.core.model.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code models average}: the weights of native models averaged into a new model directory. */
class ModelsAverageCommandTest {
  private static final ModelSpec SPEC = ModelSpec.c2f1(1, 28, 28);

  @TempDir Path tmp;

  private String created(String name, long seed) throws Exception {
    return TestModels.saved(tmp.resolve(name), SPEC, seed);
  }

  @Test
  void writesTheAverageAndNamesEveryMember() throws Exception {
    String a = created("a", 1);
    String b = created("b", 2);
    Path out = tmp.resolve("soup");
    CliRun r = CliRun.of("models", "average", a, b, "--out", out.toString(), "--json");
    assertEquals(0, r.exitCode(), r.err());
    JsonObject json = JsonParser.parseString(r.out()).getAsJsonObject();
    assertEquals(2, json.getAsJsonArray("members").size());
    double distance =
        json.getAsJsonArray("members")
            .get(0)
            .getAsJsonObject()
            .get("relative_distance")
            .getAsDouble();
    assertTrue(distance > 0.1, r.out());

    ModelManifest m = ModelManifest.read(out);
    ModelManifest first = ModelManifest.read(Path.of(a));
    assertEquals(first.version(), m.parentVersion());
    assertEquals("float16", m.weightsDtype());
    assertTrue(m.metrics().isEmpty(), "the average's metrics are not its members'");
    assertTrue(
        m.training().get("member_2").contains("advrank train --seed 2"), m.training().toString());
    try (EmbeddingModel soup = EmbeddingModel.load(out, Device.cpu())) {
      assertEquals(SPEC, soup.spec());
    }
  }

  @Test
  void weightsPickThePointBetweenTheMembersAndAreRecorded() throws Exception {
    String a = created("a", 1);
    String b = created("b", 2);
    Path out = tmp.resolve("mix");
    CliRun r =
        CliRun.of("models", "average", a, b, "--weights", "1,3", "--out", out.toString(), "--json");
    assertEquals(0, r.exitCode(), r.err());
    JsonArray members = JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonArray("members");
    assertEquals(0.25, members.get(0).getAsJsonObject().get("share").getAsDouble(), 1e-12);
    double fromA = members.get(0).getAsJsonObject().get("relative_distance").getAsDouble();
    double fromB = members.get(1).getAsJsonObject().get("relative_distance").getAsDouble();
    assertEquals(3 * fromB, fromA, 0.01 * fromA, "three quarters of the way to b: " + r.out());
    ModelManifest m = ModelManifest.read(out);
    assertTrue(m.training().get("command").contains("--weights 1.0,3.0"), m.training().toString());
    assertTrue(m.training().get("member_2").contains("share 0.75"), m.training().toString());

    Path refused = tmp.resolve("refused");
    CliRun bad =
        CliRun.of("models", "average", a, b, "--weights", "1", "--out", refused.toString());
    assertEquals(AdvrankCli.EXIT_BAD_INPUT, bad.exitCode(), bad.out());
    assertTrue(bad.err().contains("--weights: one per model, got 1 for 2 models"), bad.err());
    assertFalse(Files.exists(refused));
  }

  @Test
  void oneModelIsABadArgumentAndWritesNothing() throws Exception {
    String a = created("a", 1);
    Path out = tmp.resolve("soup");
    CliRun r = CliRun.of("models", "average", a, "--out", out.toString());
    assertEquals(AdvrankCli.EXIT_BAD_INPUT, r.exitCode(), r.out());
    assertTrue(r.err().contains("DIR"), r.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void refusesToOverwriteAModel() throws Exception {
    String a = created("a", 1);
    String b = created("b", 2);
    CliRun r = CliRun.of("models", "average", a, b, "--out", a);
    assertEquals(AdvrankCli.EXIT_BAD_INPUT, r.exitCode(), r.out());
    assertTrue(r.err().contains("--out: " + a + " holds a model already"), r.err());
  }
}
