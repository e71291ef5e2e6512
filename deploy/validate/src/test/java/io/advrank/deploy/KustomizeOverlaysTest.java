package io.advrank.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.advrank.runtime.topic.Topic;
import io.advrank.runtime.topic.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Renders every overlay under deploy/k8s/overlays with kubectl and checks what it renders: each
 * object strictly against its schema, and that the pieces fit together (references resolve, topics
 * match Topics.java, every dashboard ships, the GPU overlay asks for GPUs).
 */
class KustomizeOverlaysTest {
  private static final Set<String> SERVICES =
      Set.of("producer", "attack-worker", "ranker", "monitor", "defense-trainer", "console");

  private static final KubernetesSchemas SCHEMAS = new KubernetesSchemas();
  private static Map<Path, List<JsonNode>> rendered;

  @BeforeAll
  static void render() throws Exception {
    assumeTrue(Kustomize.available(), "kubectl not on the PATH: overlays not rendered");
    rendered = Kustomize.overlays();
    assertTrue(rendered.size() >= 2, "expected the staging and gpu overlays: " + rendered.keySet());
  }

  @Test
  void everyRenderedObjectMatchesItsSchema() {
    List<String> problems = new ArrayList<>();
    rendered.forEach(
        (overlay, objects) ->
            objects.forEach(
                o ->
                    SCHEMAS
                        .problems(o)
                        .forEach(p -> problems.add(overlay.getFileName() + ": " + p))));
    assertEquals(List.of(), problems);
  }

  @Test
  void everyOverlayHasTheClusterTheServicesAndTheirPlumbing() {
    rendered.forEach(
        (overlay, objects) -> {
          String where = overlay.getFileName().toString();
          assertEquals(1, named(objects, "Kafka").size(), where);
          assertEquals(Set.of("broker", "controller"), named(objects, "KafkaNodePool"), where);
          Set<String> workloads = new TreeSet<>(named(objects, "Deployment"));
          workloads.addAll(named(objects, "StatefulSet"));
          assertEquals(SERVICES, workloads, where);
          assertTrue(named(objects, "Service").containsAll(SERVICES), where);
          assertEquals(Set.of("attack-worker"), named(objects, "ScaledObject"), where);
          assertEquals(1, named(objects, "PodMonitor").size(), where);
          for (JsonNode o : objects) {
            if (!o.path("kind").asText().equals("Namespace")) {
              assertFalse(o.path("metadata").path("namespace").asText().isEmpty(), where + " " + o);
            }
          }
        });
  }

  @Test
  void topicsAreDeclaredAsTopicsJavaCreatesThemReplicatedThreeTimes() {
    for (List<JsonNode> objects : rendered.values()) {
      Map<String, JsonNode> declared =
          of(objects, "KafkaTopic").stream()
              .collect(Collectors.toMap(t -> t.path("metadata").path("name").asText(), t -> t));
      assertEquals(Topics.names(), declared.keySet());
      for (Topic<?, ?> topic : Topics.all()) {
        NewTopic expected = topic.newTopic((short) 3);
        JsonNode spec = declared.get(topic.name()).path("spec");
        assertEquals(expected.numPartitions(), spec.path("partitions").asInt(), topic.name());
        assertEquals(3, spec.path("replicas").asInt(), topic.name());
        assertEquals(2, spec.path("config").path("min.insync.replicas").asInt(), topic.name());
        expected
            .configs()
            .forEach(
                (k, v) -> assertEquals(v, spec.path("config").path(k).asText(), topic.name() + k));
      }
    }
  }

  @Test
  void referencedConfigMapsAndClaimsExist() {
    rendered.forEach(
        (overlay, objects) -> {
          Set<String> configMaps = named(objects, "ConfigMap");
          Set<String> claims = named(objects, "PersistentVolumeClaim");
          for (JsonNode w : workloads(objects)) {
            for (JsonNode v : w.path("spec").path("template").path("spec").path("volumes")) {
              if (v.has("configMap")) {
                assertTrue(configMaps.contains(v.path("configMap").path("name").asText()), v + "");
              }
              if (v.has("persistentVolumeClaim")) {
                String claim = v.path("persistentVolumeClaim").path("claimName").asText();
                assertTrue(claims.contains(claim), overlay + ": " + claim);
              }
            }
          }
        });
  }

  @Test
  void shipsEveryGrafanaDashboard() throws IOException {
    Set<String> files;
    try (Stream<Path> s = Files.list(Repo.DASHBOARDS)) {
      files =
          s.map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".json"))
              .collect(Collectors.toCollection(TreeSet::new));
    }
    for (List<JsonNode> objects : rendered.values()) {
      JsonNode dashboards =
          of(objects, "ConfigMap").stream()
              .filter(
                  c ->
                      c.path("metadata").path("name").asText().equals("advrank-grafana-dashboards"))
              .findFirst()
              .orElseThrow();
      Set<String> keys = new TreeSet<>();
      dashboards.path("data").fieldNames().forEachRemaining(keys::add);
      assertEquals(files, keys, "list new dashboards in grafana/kustomization.yaml");
      for (String file : files) {
        assertEquals(
            Files.readString(Repo.DASHBOARDS.resolve(file)),
            dashboards.path("data").path(file).asText());
      }
    }
  }

  @Test
  void gpuOverlayPutsAttackWorkersOnGpuNodes() {
    List<JsonNode> objects = rendered.get(Repo.K8S.resolve("overlays/gpu"));
    JsonNode pod =
        of(objects, "StatefulSet").stream()
            .filter(s -> s.path("metadata").path("name").asText().equals("attack-worker"))
            .findFirst()
            .orElseThrow()
            .path("spec")
            .path("template")
            .path("spec");
    assertFalse(pod.path("nodeSelector").isEmpty(), "node selector");
    JsonNode container = pod.path("containers").get(0);
    assertEquals("1", container.path("resources").path("limits").path("nvidia.com/gpu").asText());
  }

  static List<JsonNode> of(List<JsonNode> objects, String kind) {
    return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
  }

  static Set<String> named(List<JsonNode> objects, String kind) {
    return of(objects, kind).stream()
        .map(o -> o.path("metadata").path("name").asText())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  static List<JsonNode> workloads(List<JsonNode> objects) {
    List<JsonNode> all = new ArrayList<>(of(objects, "Deployment"));
    all.addAll(of(objects, "StatefulSet"));
    return all;
  }
}
