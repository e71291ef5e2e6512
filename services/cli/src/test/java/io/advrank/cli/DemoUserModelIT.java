package io.advrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on a user's TorchScript model and RGB photos (the committed RGB fixture), on
 * an embedded broker: producer (photos at the model's input) → attack-worker (rob224 CA+ and
 * SP-QA+) → ranker → monitor, with the defense-trainer taking EST steps on the user's module.
 * Asserts what is certain within the run: both attacks published rank shifts measured on the user's
 * model, and the trainer trained it. Publishing a version depends on the gate's verdict and on this
 * machine's speed, so it is shown by hand (README), not asserted here.
 */
class DemoUserModelIT {
  private static final Pattern SHIFT =
      Pattern.compile("(CA\\+|SP-QA\\+)@(user-model|user-model-est-\\S+) ([0-9.]+) -> ([0-9.]+)");
  private static final Pattern STEPS = Pattern.compile("trainer: (\\d+) EST steps");

  @TempDir Path tmp;

  @Test
  void attacksAndHardensTheUsersModelOnItsPhotos() {
    String model = tmp.resolve("user").toString();
    CliRun imported =
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
            "--version",
            "user-model",
            "--out",
            model);
    assertEquals(0, imported.exitCode(), imported.err());
    CliRun r =
        CliRun.of(
            "demo",
            "--model",
            model,
            "--data",
            CliRun.RGB_FIXTURE.resolve("images").toString(),
            "--duration",
            "40s",
            "--interval",
            "5",
            "--catalog-limit",
            "80",
            "--query-rate",
            "5",
            "--metrics-port",
            "0",
            "--monitor-port",
            "0",
            "--campaign",
            "CA+ eps=8/255 w=1 fraction=0.3 profile=rob224;"
                + " SP-QA+ eps=8/255 m=1 fraction=0.3 profile=rob224");
    assertEquals(0, r.exitCode(), r.err());
    boolean caPlus = false;
    boolean qaPlus = false;
    Matcher m = SHIFT.matcher(r.out());
    while (m.find()) {
      // Rank percentiles of the candidates or targets, before -> after the attack.
      assertTrue(Double.parseDouble(m.group(4)) < Double.parseDouble(m.group(3)), m.group());
      caPlus |= m.group(1).equals("CA+");
      qaPlus |= m.group(1).equals("SP-QA+");
    }
    assertTrue(caPlus && qaPlus, "rank shifts of both attacks on the user's model:\n" + r.out());
    Matcher steps = STEPS.matcher(r.out());
    long last = 0;
    while (steps.find()) {
      last = Long.parseLong(steps.group(1));
    }
    assertTrue(last > 0, "EST steps on the user's model:\n" + r.out());
  }
}
