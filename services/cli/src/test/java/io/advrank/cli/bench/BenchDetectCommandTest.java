package io.advrank.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.advrank.cli.CliRun;
import org.junit.jupiter.api.Test;

/** {@code bench detect} on the committed fixture with the shipped model: a small real run. */
class BenchDetectCommandTest {
  private static final String DATA = CliRun.FIXTURE.toString();
  private static final String MODEL = "../../models/fmnist-c2f1";

  @Test
  void detectsLargeEpsilonAttacksOnQueriesAndPhotosWithFewFalseAlarms() {
    CliRun r =
        CliRun.of(
            "bench",
            "detect",
            "--data",
            DATA,
            "--model",
            MODEL,
            "--catalog",
            "400",
            "--calibration",
            "200",
            // 200 scores cannot place the default 0.5 % quantile (it would be their maximum)
            "--fpr",
            "0.01",
            "--drift-fpr",
            "0.001",
            "--per-window",
            "20",
            "--limit",
            "10",
            "--eps",
            "0.3",
            "--types",
            "SP-QA+,CA-",
            "--json");
    assertEquals(0, r.exitCode(), r.err());
    JsonArray results = JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonArray("results");
    assertEquals(2, results.size(), r.out());
    for (int i = 0; i < results.size(); i++) {
      JsonObject row = results.get(i).getAsJsonObject();
      int positives = row.get("positives").getAsInt();
      int negatives = row.get("negatives").getAsInt();
      double recall = row.get("truePositives").getAsDouble() / positives;
      double fpr = row.get("falsePositives").getAsDouble() / negatives;
      assertEquals(10, positives, row.toString());
      // 80 held-out benign queries (4 windows of 20), or the 190 judged items not attacked
      assertEquals(i == 0 ? 80 : 190, negatives, row.toString());
      assertTrue(recall >= 0.8, "recall " + row);
      assertTrue(fpr <= 0.05, "false-positive rate " + row);
      String signal = i == 0 ? "query_hijack" : "photo_inconsistency";
      assertTrue(
          row.getAsJsonObject("truePositivesBySignal").has(signal), "credited signal " + row);
    }
  }

  @Test
  void aCalibrationAsLargeAsTheCatalogIsOneLineNamingTheOption() {
    CliRun r =
        CliRun.of(
            "bench",
            "detect",
            "--data",
            DATA,
            "--model",
            MODEL,
            "--catalog",
            "300",
            "--calibration",
            "300");
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(r.err().contains("--calibration: must be 10..299"), r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
  }

  @Test
  void anUnknownThresholdsSourceIsOneLineNamingTheOption() {
    CliRun r =
        CliRun.of("bench", "detect", "--data", DATA, "--model", MODEL, "--thresholds", "median");
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(r.err().contains("--thresholds: must be live or manifest"), r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
  }
}
