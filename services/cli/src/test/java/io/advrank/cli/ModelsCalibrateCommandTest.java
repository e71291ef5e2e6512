package io.advrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.core.detection.DetectorThresholds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A model directory without detector thresholds: {@code models publish} refuses it (before any
 * broker is contacted) and says how to fix it; {@code models calibrate} adds them.
 */
class ModelsCalibrateCommandTest {
  private static final Path SHIPPED = Path.of("../../models/fmnist-c2f1");
  private Path dir;

  @BeforeEach
  void copyWithoutThresholds() throws Exception {
    dir = Files.createTempDirectory("advrank-calibrate-");
    Files.copy(SHIPPED.resolve("weights.ndlist"), dir.resolve("weights.ndlist"));
    com.google.gson.JsonObject manifest =
        com.google.gson.JsonParser.parseString(Files.readString(SHIPPED.resolve("manifest.json")))
            .getAsJsonObject();
    manifest.remove(DetectorThresholds.MANIFEST_FIELD);
    Files.writeString(dir.resolve("manifest.json"), manifest.toString());
  }

  @AfterEach
  void delete() throws Exception {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void publishRefusesAVersionWithoutThresholdsAndCalibrateAddsThem() throws Exception {
    CliRun refused =
        CliRun.of("models", "publish", dir.toString(), "--bootstrap-servers", "127.0.0.1:1");
    assertEquals(2, refused.exitCode(), refused.err());
    assertTrue(refused.err().contains("has no detector thresholds"), refused.err());
    assertTrue(refused.err().contains("advrank models calibrate"), refused.err());
    assertTrue(refused.err().contains("--no-thresholds"), refused.err());
    assertEquals(1, refused.err().strip().lines().count(), "one line: " + refused.err());

    CliRun calibrated =
        CliRun.of(
            "models",
            "calibrate",
            dir.toString(),
            "--data",
            CliRun.FIXTURE.toString(),
            "--device",
            "cpu",
            "--no-progress");
    assertEquals(0, calibrated.exitCode(), calibrated.err());
    DetectorThresholds t =
        DetectorThresholds.fromManifestJson(Files.readString(dir.resolve("manifest.json")))
            .orElseThrow(() -> new AssertionError("no thresholds written"));
    assertEquals(1000, t.images(), "the fixture's whole test split: " + t);
    assertEquals(0.005, t.falsePositiveRate(), 1e-12);
    // each score in units of its own clean threshold: the joint one ends near 1
    assertTrue(t.queryHijack() >= 0.99 && t.queryHijack() < 3, t.toString());
    assertTrue(t.catalogPhoto() >= 0.99 && t.catalogPhoto() < 3, t.toString());

    CliRun again =
        CliRun.of("models", "calibrate", dir.toString(), "--data", CliRun.FIXTURE.toString());
    assertEquals(2, again.exitCode(), again.err());
    assertTrue(again.err().contains("--force"), again.err());
  }
}
