package io.advrank.attackworker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.embedded.EmbeddedKafka;
import io.advrank.proto.v1.AdversarialVariant;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.RankShift;
import io.advrank.runtime.model.AssembledModel;
import io.advrank.runtime.model.ModelTopic;
import io.advrank.runtime.topic.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A version published on advrank.models reaches a running attack-worker: it re-embeds its gallery
 * and attacks with the new weights from the next micro-batch on; every variant and rank shift, and
 * the rank-percentile metrics, name the version that produced them; nothing is delivered twice.
 */
class AttackWorkerHotSwapIT {
  private static final int CATALOG = 100;
  private static final int HALF = 24;

  @TempDir Path temp;

  @Test
  void attacksWithTheNewVersionAfterASwapAndStampsEveryOutput() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (EmbeddedKafka kafka = TestKafka.startWithTopics();
        EmbeddingModel v1 = EmbeddingModel.load(TestKafka.MODEL, Device.cpu())) {
      AttackWorkerSettings settings =
          TestKafka.settings(kafka, "it-swap", "SP-QA+ eps=0.03 m=1 fraction=1", 8);
      TestKafka.produce(kafka, Topics.CATALOG, TestKafka.catalog(CATALOG));
      try (AttackWorkerService worker = TestKafka.readyWorker(settings, v1, registry)) {
        List<ImageEvent> queries = TestKafka.queries(CATALOG, 2 * HALF);
        TestKafka.produce(kafka, Topics.QUERIES, queries.subList(0, HALF));
        assertEquals(HALF, shifts(kafka, HALF).size());

        ModelTopic.publish(kafka.bootstrapServers(), version("it-v2"), Duration.ofSeconds(10));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!worker.modelVersion().equals("it-v2") && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertEquals("it-v2", worker.modelVersion());
        TestKafka.produce(kafka, Topics.QUERIES, queries.subList(HALF, 2 * HALF));

        Map<String, RankShift> shifts =
            byEvent(shifts(kafka, 2 * HALF), RankShift::getOriginalEventId);
        List<AdversarialVariant> variants =
            TestKafka.values(
                Topics.ADVERSARIAL,
                TestKafka.read(
                    kafka,
                    Topics.ADVERSARIAL.name(),
                    true,
                    r -> r.size() >= 2 * HALF,
                    Duration.ofSeconds(60)));
        assertEquals(2 * HALF, shifts.size(), "one shift per query, none twice");
        assertEquals(2 * HALF, variants.size(), "one variant per query, none twice");
        for (int j = 0; j < 2 * HALF; j++) {
          String expected = j < HALF ? "fmnist-c2f1-v1" : "it-v2";
          assertEquals(expected, shifts.get("qe-" + j).getModelVersion(), "shift of qe-" + j);
        }
        for (AdversarialVariant v : variants) {
          assertEquals(
              shifts.get(v.getOriginalEventId()).getModelVersion(),
              v.getModelVersion(),
              "variant and shift of " + v.getOriginalEventId());
        }
        for (String version : List.of("fmnist-c2f1-v1", "it-v2")) {
          assertEquals(
              HALF,
              registry
                  .get("advrank.rank.percentile.after")
                  .tag("model_version", version)
                  .summary()
                  .count(),
              version);
        }
        assertTrue(worker.failure().isEmpty(), () -> "worker failed: " + worker.failure());
      }
    }
  }

  private static List<RankShift> shifts(EmbeddedKafka kafka, int n) {
    return TestKafka.values(
        Topics.RANK_SHIFTS,
        TestKafka.read(
            kafka, Topics.RANK_SHIFTS.name(), true, r -> r.size() >= n, Duration.ofSeconds(90)));
  }

  private static <V> Map<String, V> byEvent(List<V> values, Function<V, String> id) {
    return values.stream().collect(Collectors.toMap(id, v -> v));
  }

  /** Fresh C2F1 weights as a version created now (newer than the shipped model). */
  private AssembledModel version(String id) throws Exception {
    return TestKafka.version(temp.resolve(id), id);
  }
}
