package io.advrank.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.advrank.cli.CliRun;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelManifest;
import io.advrank.core.model.ModelSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench pipeline} on the fixture with an embedded broker and tiny sizes: every figure is
 * present and positive. No timing thresholds: this machine's speed is not what is under test.
 */
class BenchPipelineIT {
  @TempDir Path tmp;

  @Test
  void printsAttackThroughputAndBenignLatencyAsJson() throws Exception {
    Path model = tmp.resolve("model");
    // Random weights: speed and plumbing do not depend on what the model has learnt.
    try (EmbeddingModel m = EmbeddingModel.create(ModelSpec.c2f1(1, 28, 28), 0, Device.cpu())) {
      m.save(
          model,
          new ModelManifest(1, null, null, null, 0, null, null, null, "now", null, null, null));
    }
    CliRun r =
        CliRun.of(
            "bench",
            "pipeline",
            "--data",
            CliRun.FIXTURE.toString(),
            "--model",
            model.toString(),
            "--items",
            "32",
            "--catalog",
            "64",
            "--eps",
            "0.03",
            "--batch",
            "16",
            "--query-rate",
            "20",
            "--seconds",
            "5",
            "--warmup",
            "1",
            "--rounds",
            "2",
            "--json");
    assertEquals(0, r.exitCode(), r.err());
    JsonObject json = JsonParser.parseString(r.out()).getAsJsonObject();
    JsonObject attack = json.getAsJsonObject("attack");
    assertEquals(32, attack.get("items").getAsInt());
    for (String way : new String[] {"kafka", "in_process"}) {
      JsonObject run = attack.getAsJsonObject(way);
      assertPositive(run, "seconds");
      assertPositive(run, "attacks_per_s");
    }
    assertPositive(attack, "ratio");
    assertEquals(2, attack.getAsJsonArray("rounds").size(), attack.toString());
    assertPositive(attack.getAsJsonObject("kafka"), "pgd_seconds");
    assertEquals(2, attack.getAsJsonObject("in_process").get("pgd_runs").getAsLong());
    long workerRuns = attack.getAsJsonObject("kafka").get("pgd_runs").getAsLong();
    assertTrue(workerRuns >= 2 && workerRuns <= 32, "32 items in batches of <= 16: " + workerRuns);
    JsonObject benign = json.getAsJsonObject("benign");
    assertEquals(100, benign.get("sent").getAsInt());
    assertPositive(benign, "answered");
    assertEquals(
        128, benign.get("catalog_items").getAsInt(), "the catalog plus two rounds of uploads");
    for (String p : new String[] {"p50", "p90", "p99", "max"}) {
      assertPositive(benign.getAsJsonObject("latency_ms"), p);
    }
    assertTrue(benign.getAsJsonObject("stages_p99_ms").has("to_ranker"), benign.toString());
    assertPositive(benign, "events_per_s");
  }

  @Test
  void badSizesAreOneLineNamingTheOption() {
    CliRun r = CliRun.of("bench", "pipeline", "--data", CliRun.FIXTURE.toString(), "--items", "0");
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(r.err().contains("--items: must be >= 1, was 0"), r.err());
    r = CliRun.of("bench", "pipeline", "--data", CliRun.FIXTURE.toString(), "--catalog", "990");
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(r.err().contains("must be <= the 1000 test images, was 1502"), r.err());
  }

  private static void assertPositive(JsonObject o, String key) {
    assertTrue(o.get(key).getAsDouble() > 0, key + " in " + o);
  }

  @Test
  void percentileIsNearestRank() {
    long[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assertEquals(5, BenchPipelineLatency.percentile(sorted, 0.5));
    assertEquals(10, BenchPipelineLatency.percentile(sorted, 0.99));
    assertEquals(1, BenchPipelineLatency.percentile(new long[] {1}, 0.99));
  }
}
