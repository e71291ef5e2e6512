package io.advrank.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.advrank.cli.CliRun;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelManifest;
import io.advrank.core.model.ModelSpec;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short form of {@code bench fuzz} for CI: 200 malformed records per input topic on an embedded
 * broker with the attack-worker and the ranker running; every one dead-lettered once with the right
 * reason, every valid record out once, both services up.
 */
class BenchFuzzIT {
  @TempDir Path tmp;

  @Test
  void deadLettersEveryMalformedRecordAndLosesNoValidOne() throws Exception {
    Path model = tmp.resolve("model");
    try (EmbeddingModel m = EmbeddingModel.create(ModelSpec.c2f1(1, 28, 28), 0, Device.cpu())) {
      m.save(
          model,
          new ModelManifest(1, null, null, null, 0, null, null, null, "now", null, null, null));
    }
    CliRun r =
        CliRun.of(
            "bench",
            "fuzz",
            "--data",
            CliRun.FIXTURE.toString(),
            "--model",
            model.toString(),
            "--records",
            "200",
            "--timeout",
            "120",
            "--json");
    JsonObject json = JsonParser.parseString(r.out()).getAsJsonObject();
    Set<String> topics = new HashSet<>();
    for (JsonElement e : json.getAsJsonArray("topics")) {
      JsonObject t = e.getAsJsonObject();
      topics.add(t.get("topic").getAsString());
      long sent = 0;
      for (JsonElement k : t.getAsJsonArray("kinds")) {
        JsonObject kind = k.getAsJsonObject();
        assertEquals(kind.get("sent"), kind.get("right_reason"), kind.toString());
        sent += kind.get("sent").getAsLong();
      }
      assertEquals(200, sent, t.toString());
      // The monitor's inputs get no valid records from the bench: the ranker writes them.
      boolean image =
          t.get("topic").getAsString().matches("advrank\\.(catalog|queries)(\\.delivered)?");
      assertEquals(image ? 20 : 0, t.get("valid_sent").getAsInt(), t.toString());
      assertEquals(image ? 20 : 0, t.get("valid_delivered_once").getAsInt(), t.toString());
      assertEquals(0, t.get("valid_dead_lettered").getAsInt(), t.toString());
    }
    assertEquals(
        Set.of(
            "advrank.catalog",
            "advrank.queries",
            "advrank.catalog.delivered",
            "advrank.queries.delivered",
            "advrank.rankings",
            "advrank.catalog.observations"),
        topics);
    assertEquals("UP", json.getAsJsonObject("services").get("ranker").getAsString());
    assertEquals("UP", json.getAsJsonObject("services").get("attack-worker").getAsString());
    assertEquals("UP", json.getAsJsonObject("services").get("monitor").getAsString());
    assertTrue(json.get("passed").getAsBoolean(), r.out());
    assertEquals(0, r.exitCode(), r.err());
  }

  @Test
  void badRecordCountIsOneLineNamingTheOption() {
    CliRun r = CliRun.of("bench", "fuzz", "--data", CliRun.FIXTURE.toString(), "--records", "0");
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(r.err().contains("--records: must be in 1..1000000, was 0"), r.err());
  }
}
