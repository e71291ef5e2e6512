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
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short form of {@code bench fuzz} for CI: 200 malformed records per input topic on an embedded
 * broker with the five services running; every one dead-lettered once with the right reason by each
 * service that reads its topic (or taken without one where that service does not check what it
 * breaks), every valid record out once or not dead-lettered, all services up.
 */
class BenchFuzzIT {
  @TempDir Path tmp;

  @Test
  void deadLettersEveryMalformedRecordAndLosesNoValidOne() throws Exception {
    Path model = tmp.resolve("model");
    try (EmbeddingModel m = EmbeddingModel.create(ModelSpec.c2f1(1, 28, 28), 0, Device.cpu())) {
      m.save(
          model,
          new ModelManifest(
              1,
              null,
              null,
              null,
              0,
              null,
              null,
              null,
              Instant.now().toString(),
              null,
              null,
              null));
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
    assertTrue(r.out().startsWith("{"), () -> "no report; stderr ends: " + tail(r.err()));
    JsonObject json = JsonParser.parseString(r.out()).getAsJsonObject();
    Set<String> topics = new HashSet<>();
    for (JsonElement e : json.getAsJsonArray("topics")) {
      JsonObject t = e.getAsJsonObject();
      String topic = t.get("topic").getAsString();
      topics.add(topic);
      long sent = 0;
      for (JsonElement k : t.getAsJsonArray("kinds")) {
        JsonObject kind = k.getAsJsonObject();
        Set<String> services = new HashSet<>();
        for (JsonElement svc : kind.getAsJsonArray("services")) {
          JsonObject row = svc.getAsJsonObject();
          services.add(row.get("service").getAsString());
          assertEquals(kind.get("sent"), row.get("right"), topic + " " + kind);
        }
        assertEquals(readers(t), services, topic + " " + kind);
        sent += kind.get("sent").getAsLong();
      }
      assertEquals(200, sent, t.toString());
      // The monitor's inputs and the model topic get no valid records from the bench; the image
      // topics' valid records each have an output, those of the other topics only a count.
      boolean image = topic.matches("advrank\\.(catalog|queries)(\\.delivered)?");
      boolean noValid = topic.matches("advrank\\.(rankings|catalog\\.observations|models)");
      assertEquals(noValid ? 0 : 20, t.get("valid_sent").getAsInt(), t.toString());
      assertEquals(image ? 20 : 0, t.get("valid_delivered_once").getAsInt(), t.toString());
      assertEquals(0, t.get("valid_dead_lettered").getAsInt(), t.toString());
      assertEquals(0, t.get("dead_letters_from_non_readers").getAsInt(), t.toString());
    }
    assertEquals(
        Set.of(
            "advrank.catalog",
            "advrank.queries",
            "advrank.catalog.delivered",
            "advrank.queries.delivered",
            "advrank.rankings",
            "advrank.catalog.observations",
            "advrank.models",
            "advrank.adversarial",
            "advrank.rank-shifts",
            "advrank.alerts",
            "advrank.model-decisions"),
        topics);
    JsonObject services = json.getAsJsonObject("services");
    for (String service :
        List.of("ranker", "attack-worker", "monitor", "defense-trainer", "console")) {
      assertEquals("UP", services.get(service).getAsString(), service);
    }
    // Dead letters are counted per service: the console dead-letters its share of every topic.
    JsonObject byService = json.getAsJsonObject("dead_letters_by_service");
    assertTrue(byService.getAsJsonObject("console").has("advrank.alerts"), byService.toString());
    assertTrue(
        byService.getAsJsonObject("console").has("advrank.model-decisions"), byService.toString());
    assertTrue(
        byService.getAsJsonObject("defense-trainer").has("advrank.adversarial"),
        byService.toString());
    // Every model feed counted each malformed version under its own refusal, the unsigned,
    // foreign-signed and tampered signed ones under "signature", and still serves what it served.
    JsonObject due = json.getAsJsonObject("model_refused_due");
    assertEquals(due, json.getAsJsonObject("model_refused_counted"));
    for (String feed : List.of("ranker", "attack-worker", "defense-trainer")) {
      assertEquals(
          200 / 10 * 4, due.getAsJsonObject(feed).get("signature").getAsLong(), due.toString());
    }
    json.getAsJsonObject("model_served_before_after")
        .entrySet()
        .forEach(
            e -> {
              var v = e.getValue().getAsJsonArray();
              assertEquals(v.get(0), v.get(1), e.getKey());
            });
    assertTrue(json.get("passed").getAsBoolean(), r.out());
    assertEquals(0, r.exitCode(), r.err());
  }

  private static String tail(String s) {
    return s.substring(Math.max(0, s.length() - 4000));
  }

  private static Set<String> readers(JsonObject topic) {
    Set<String> out = new HashSet<>();
    topic.getAsJsonArray("read_by").forEach(e -> out.add(e.getAsString()));
    return out;
  }

  @Test
  void badRecordCountIsOneLineNamingTheOption() {
    CliRun r = CliRun.of("bench", "fuzz", "--data", CliRun.FIXTURE.toString(), "--records", "0");
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(r.err().contains("--records: must be in 1..1000000, was 0"), r.err());
  }
}
