package io.advrank.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Compose files parse against the Compose specification's JSON schema (committed, see
 * schemas/README.md), and what they mount and scrape exists.
 */
class ComposeFileTest {
  private static final Set<String> ADVRANK =
      Set.of("producer", "attack-worker", "ranker", "monitor", "defense-trainer", "console");
  private static final Pattern DEFAULTED = Pattern.compile("\\$\\{[A-Z_]+:-([^}]*)}");

  private static final String COMPOSE_SPEC_BASE =
      "https://raw.githubusercontent.com/compose-spec/compose-spec/main/schema/compose-spec.json";

  private static JsonSchema spec;
  private static JsonNode compose;

  @BeforeAll
  static void load() throws IOException {
    // The schema's own $id is relative (compose_spec.json): give it the base it is published at.
    // Its references are all internal, so nothing is fetched.
    spec =
        JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7)
            .getSchema(
                SchemaLocation.of(COMPOSE_SPEC_BASE),
                Yaml.json(Repo.SCHEMAS.resolve("compose-spec.json")));
    compose = Yaml.file(Repo.COMPOSE.resolve("compose.yaml"));
  }

  private static Set<String> problems(JsonNode document) {
    return spec.validate(document).stream()
        .map(ValidationMessage::getMessage)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void composeFilesMatchTheComposeSpecification() throws IOException {
    assertEquals(Set.of(), problems(compose));
    assertEquals(Set.of(), problems(Yaml.file(Repo.COMPOSE.resolve("compose.cpu.yaml"))));
  }

  @Test
  void refusesAnUnknownKeyAndAWrongType() {
    assertEquals(1, problems(Yaml.documents("services: {a: {image: x, imagee: y}}").get(0)).size());
    assertFalse(
        problems(Yaml.documents("services: {a: {image: x, ports: 8080}}").get(0)).isEmpty());
  }

  @Test
  void runsThreeKraftBrokersEveryServicePrometheusAndGrafana() {
    Set<String> names = new TreeSet<>();
    compose.path("services").fieldNames().forEachRemaining(names::add);
    assertEquals(
        Set.of(
            "kafka-1",
            "kafka-2",
            "kafka-3",
            "producer",
            "attack-worker",
            "ranker",
            "monitor",
            "defense-trainer",
            "console",
            "prometheus",
            "grafana"),
        names);
    for (String broker : List.of("kafka-1", "kafka-2", "kafka-3")) {
      JsonNode env = compose.path("services").path(broker).path("environment");
      assertTrue(
          compose.path("services").path(broker).path("image").asText().startsWith("apache/kafka:"));
      assertEquals("broker,controller", env.path("KAFKA_PROCESS_ROLES").asText());
      assertEquals("2", env.path("KAFKA_MIN_INSYNC_REPLICAS").asText());
    }
    for (String service : ADVRANK) {
      JsonNode env = compose.path("services").path(service).path("environment");
      assertEquals("3", env.path("ADVRANK_KAFKA_REPLICATION_FACTOR").asText(), service);
    }
  }

  @Test
  void reservesAnNvidiaGpuForTheAttackWorker() {
    JsonNode device = compose.at("/services/attack-worker/deploy/resources/reservations/devices/0");
    assertEquals("nvidia", device.path("driver").asText());
    assertEquals("gpu", device.path("capabilities").get(0).asText());
  }

  @Test
  void everyMountedRepositoryPathExists() {
    compose
        .path("services")
        .forEach(
            service ->
                service
                    .path("volumes")
                    .forEach(
                        v -> {
                          String source = v.asText().split(":")[0];
                          Matcher m = DEFAULTED.matcher(v.asText());
                          if (m.lookingAt()) {
                            source = m.group(1);
                          }
                          if (source.startsWith(".") && !source.equals("./libtorch-cuda")) {
                            Path path = Repo.COMPOSE.resolve(source).normalize();
                            assertTrue(Files.exists(path), "mounted but missing: " + path);
                          }
                        }));
  }

  @Test
  void prometheusScrapesEveryServiceOnItsMetricsPort() throws IOException {
    JsonNode prometheus = Yaml.file(Repo.COMPOSE.resolve("prometheus.yml"));
    Set<String> targets = new TreeSet<>();
    prometheus
        .path("scrape_configs")
        .forEach(j -> j.at("/static_configs/0/targets").forEach(t -> targets.add(t.asText())));
    Set<String> expected = new TreeSet<>();
    for (String service : ADVRANK) {
      expected.add(service + ":" + SettingsFilesTest.metricsPort(service));
    }
    assertEquals(expected, targets);
  }
}
