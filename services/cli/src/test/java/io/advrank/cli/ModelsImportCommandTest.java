package io.advrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.advrank.core.model.ModelManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's TorchScript model and photos: {@code models import}, then {@code eval}, {@code attack}.
 */
class ModelsImportCommandTest {
  @TempDir static Path tmp;
  private static String model;
  private static final String PHOTOS = CliRun.RGB_FIXTURE.resolve("images").toString();

  @BeforeAll
  static void importTheFixture() {
    model = tmp.resolve("user-model").toString();
    CliRun r = importModel("3x32x32", model);
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("torchscript 3x32x32 -> 64"), r.out());
  }

  private static CliRun importModel(String input, String out) {
    return CliRun.of(
        "models",
        "import",
        CliRun.RGB_FIXTURE.resolve("model.pt").toString(),
        "--input",
        input,
        "--mean",
        "0.485,0.456,0.406",
        "--std",
        "0.229,0.224,0.225",
        "--out",
        out);
  }

  @Test
  void evalRanksTheUsersPhotosWithTheirModel() {
    CliRun r = CliRun.of("eval", "--model", model, "--data", PHOTOS, "--json");
    assertEquals(0, r.exitCode(), r.err());
    JsonObject json = JsonParser.parseString(r.out()).getAsJsonObject();
    assertEquals(120, json.get("images").getAsInt());
    assertTrue(json.get("r_at_1").getAsDouble() > 0.4, r.out());
  }

  @Test
  void attackRaisesACandidateOfTheUsersModel() {
    CliRun r =
        CliRun.of(
            "attack",
            "--model",
            model,
            "--data",
            PHOTOS,
            "--type",
            "CA+",
            "--eps",
            "0.03",
            "--limit",
            "10",
            "--json",
            "--no-progress");
    assertEquals(0, r.exitCode(), r.err());
    JsonObject s = JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonObject("summary");
    assertTrue(s.get("rankAfter").getAsDouble() < s.get("rankBefore").getAsDouble() / 2, r.out());
  }

  @Test
  void importWithCleanPhotosStoresTheMonitorsThresholdsInTheManifest() throws Exception {
    String calibrated = tmp.resolve("calibrated").toString();
    CliRun r =
        CliRun.of(
            "models",
            "import",
            CliRun.RGB_FIXTURE.resolve("model.pt").toString(),
            "--input",
            "3x32x32",
            "--mean",
            "0.485,0.456,0.406",
            "--std",
            "0.229,0.224,0.225",
            "--data",
            PHOTOS,
            "--no-progress",
            "--out",
            calibrated);
    assertEquals(0, r.exitCode(), r.err());
    var detection = ModelManifest.read(Path.of(calibrated)).detection();
    assertTrue(detection != null, "no thresholds in the manifest:\n" + r.out());
    // Each raw score is in units of its own clean threshold: the joint ones end at about 1 or
    // a little above (the union of the scores' tails), never far below.
    assertTrue(
        detection.queryHijack() >= 0.99 && detection.catalogPhoto() >= 0.99, detection.toString());
    assertTrue(
        detection.scales() != null
            && detection.scales().depthFlat() + detection.scales().depthNone() > 0);
    assertTrue(r.out().contains("detector thresholds on " + detection.images()), r.out());
    assertTrue(ModelManifest.read(Path.of(model)).detection() == null, "none without --data");
  }

  @Test
  void aWrongInputShapeIsOneLineAndWritesNothing() {
    Path out = tmp.resolve("wrong");
    CliRun r = importModel("3x64x64", out.toString());
    assertEquals(2, r.exitCode());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("rejects input 3x64x64"), r.err());
    assertTrue(Files.notExists(out));
  }

  @Test
  void aMalformedInputOptionNamesTheOptionAndTheFormat() {
    CliRun r = importModel("224x224", tmp.resolve("bad").toString());
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("--input: '224x224' is not CxHxW"), r.err());
  }
}
