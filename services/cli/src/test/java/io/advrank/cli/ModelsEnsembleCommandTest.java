package io.advrank.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelManifest;
import io.advrank.core.model.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code models ensemble}: native models joined into one model directory. */
class ModelsEnsembleCommandTest {
  private static final ModelSpec RC2F2 = new ModelSpec(ModelSpec.RC2F2, 512, 1, 28, 28);

  @TempDir Path tmp;

  @Test
  void writesOneModelThatEmbedsAsItsMembersAndNamesThem() throws Exception {
    String a = TestModels.saved(tmp.resolve("a"), ModelSpec.c2f1(1, 28, 28), 1);
    String b = TestModels.saved(tmp.resolve("b"), RC2F2, 2);
    Path out = tmp.resolve("ens");
    CliRun r =
        CliRun.of("models", "ensemble", a, b, "--out", out.toString(), "--float32", "--json");
    assertEquals(0, r.exitCode(), r.err());
    JsonObject json = JsonParser.parseString(r.out()).getAsJsonObject();
    assertEquals(
        "ensemble 1x28x28 -> 1536 (c2f1 -> 1024 + rc2f2 -> 512)", json.get("model").getAsString());
    assertEquals(2, json.getAsJsonArray("members").size());

    ModelManifest m = ModelManifest.read(out);
    assertEquals(ModelManifest.read(Path.of(a)).version(), m.parentVersion());
    assertTrue(m.metrics().isEmpty(), "the ensemble's metrics are not its members'");
    assertEquals(
        "advrank models ensemble " + a + " " + b + " --out " + out, m.training().get("command"));
    assertTrue(
        m.training()
            .get("member_2")
            .contains("rc2f2 1x28x28 -> 512; trained by: advrank train" + " --seed 2"),
        m.training().toString());
    float[] images = new float[3 * 784];
    Random random = new Random(5);
    for (int i = 0; i < images.length; i++) {
      images[i] = random.nextFloat();
    }
    try (EmbeddingModel first = EmbeddingModel.load(Path.of(a), Device.cpu());
        EmbeddingModel second = EmbeddingModel.load(Path.of(b), Device.cpu());
        EmbeddingModel joined = EmbeddingModel.ensemble(List.of(first, second));
        EmbeddingModel loaded = EmbeddingModel.load(out, Device.cpu())) {
      assertArrayEquals(joined.embed(images, 3).values(), loaded.embed(images, 3).values());
    }
  }

  @Test
  void membersForAnotherInputAreABadArgumentAndWriteNothing() throws Exception {
    String grey = TestModels.saved(tmp.resolve("grey"), RC2F2, 1);
    String rgb = TestModels.saved(tmp.resolve("rgb"), ModelSpec.c2f1(3, 28, 28), 2);
    Path out = tmp.resolve("ens");
    CliRun r = CliRun.of("models", "ensemble", grey, rgb, "--out", out.toString());
    assertEquals(AdvrankCli.EXIT_BAD_INPUT, r.exitCode(), r.out());
    assertTrue(r.err().contains("an ensemble's members take one input shape"), r.err());
    assertFalse(Files.exists(out));

    CliRun one = CliRun.of("models", "ensemble", grey, "--out", out.toString());
    assertEquals(AdvrankCli.EXIT_BAD_INPUT, one.exitCode(), one.out());
    assertTrue(one.err().contains("DIR"), one.err());
    assertFalse(Files.exists(out));
  }
}
