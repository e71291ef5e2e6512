package io.advrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.advrank.core.model.ModelManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code models convert}: an imported TorchScript rc2f2 as a native model directory. */
class ModelsConvertCommandTest {
  private static final Path FIXTURES = Path.of("../core/src/test/resources/fixtures/rc2f2-mini");

  @TempDir Path tmp;

  private String imported(String file) {
    String dir = tmp.resolve(file + "-imported").toString();
    CliRun r =
        CliRun.of(
            "models",
            "import",
            FIXTURES.resolve(file).toString(),
            "--input",
            "1x4x4",
            "--out",
            dir);
    assertEquals(0, r.exitCode(), r.err());
    return dir;
  }

  @Test
  void writesANativeModelThatNamesItsSource() throws Exception {
    String source = imported("rc2f2.pt");
    Path out = tmp.resolve("native");
    CliRun r =
        CliRun.of("models", "convert", source, "--to", "rc2f2", "--out", out.toString(), "--json");
    assertEquals(0, r.exitCode(), r.err());
    JsonObject json = JsonParser.parseString(r.out()).getAsJsonObject();
    assertEquals("float16", json.get("weights_dtype").getAsString());
    assertTrue(json.get("float32_max_difference").getAsDouble() < 1e-5, r.out());
    assertTrue(json.get("stored_max_difference").getAsDouble() < 1e-2, r.out());

    ModelManifest parent = ModelManifest.read(Path.of(source));
    ModelManifest m = ModelManifest.read(out);
    assertEquals("rc2f2 1x4x4 -> 16", m.spec().describe());
    assertEquals(parent.version(), m.parentVersion());
    assertEquals(parent.parameterCount(), m.parameterCount());
    assertTrue(
        m.training().get("converted").startsWith("from " + parent.version()),
        m.training().toString());
    assertEquals(parent.training().get("command"), m.training().get("command"));
  }

  @Test
  void writesNothingForAModuleThatIsNotTheArchitecture() {
    String source = imported("c2f1-tanh.pt");
    Path out = tmp.resolve("refused");
    CliRun r = CliRun.of("models", "convert", source, "--to", "c2f1", "--out", out.toString());
    assertEquals(AdvrankCli.EXIT_BAD_INPUT, r.exitCode(), r.out());
    assertTrue(r.err().contains("computes another function than c2f1"), r.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void namesTheArgumentAndTheAcceptedValues() {
    String source = imported("rc2f2.pt");
    CliRun r =
        CliRun.of(
            "models", "convert", source, "--to", "resnet", "--out", tmp.resolve("x").toString());
    assertEquals(AdvrankCli.EXIT_BAD_INPUT, r.exitCode());
    assertTrue(r.err().contains("--to: unknown 'resnet' (accepted: rc2f2, c2f1)"), r.err());
  }
}
