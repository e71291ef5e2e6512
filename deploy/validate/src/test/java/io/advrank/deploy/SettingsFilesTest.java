package io.advrank.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.advrank.attackworker.AttackWorkerSettings;
import io.advrank.console.ConsoleSettings;
import io.advrank.defensetrainer.DefenseTrainerSettings;
import io.advrank.monitor.MonitorSettings;
import io.advrank.producer.ProducerSettings;
import io.advrank.ranker.RankerSettings;
import io.advrank.runtime.http.HttpAccess;
import io.advrank.runtime.settings.SettingsException;
import io.advrank.runtime.settings.SettingsSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The settings files behind the ConfigMaps (and the Compose mounts), and every ADVRANK_* variable
 * the deployments set, are read by the services' own settings parsers: an unknown key or a bad
 * value fails here, not at a pod's start.
 */
class SettingsFilesTest {
  private record Service(Set<String> keys, Function<SettingsSource, ?> parse) {}

  private static final Map<String, Service> SERVICES =
      Map.of(
          "producer", new Service(ProducerSettings.KEYS, ProducerSettings::from),
          "attack-worker", new Service(AttackWorkerSettings.KEYS, AttackWorkerSettings::from),
          "ranker", new Service(RankerSettings.KEYS, RankerSettings::from),
          "monitor", new Service(MonitorSettings.KEYS, MonitorSettings::from),
          "defense-trainer", new Service(DefenseTrainerSettings.KEYS, DefenseTrainerSettings::from),
          "console",
              new Service(
                  ConsoleSettings.KEYS,
                  source -> {
                    ConsoleSettings.metricsPort(source); // read by ConsoleMain
                    return ConsoleSettings.from(source);
                  }));

  static Path file(String service) {
    return Repo.SETTINGS.resolve(service + ".properties");
  }

  static int metricsPort(String service) {
    try {
      Properties p = new Properties();
      p.load(Files.newBufferedReader(file(service)));
      return Integer.parseInt(p.getProperty("metrics.port"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Object parse(String service, Map<String, String> env) {
    Service s = SERVICES.get(service);
    // Services read only the variables of keys they know, so a misspelt one would be ignored.
    Set<String> known = new TreeSet<>();
    s.keys().forEach(k -> known.add(SettingsSource.envName(k)));
    for (String name : env.keySet()) {
      assertTrue(known.contains(name), service + ": " + name + " is no setting; known: " + known);
    }
    SettingsSource source = SettingsSource.load(s.keys(), Map.of(), env, file(service));
    HttpAccess http = HttpAccess.from(source);
    // Prometheus scrapes every service from another container or pod.
    assertFalse(http.loopbackOnly(), service + ": http.bind must expose /metrics, got " + http);
    return s.parse().apply(source);
  }

  @Test
  void everySettingsFileParses() {
    for (String service : SERVICES.keySet()) {
      // The staging cluster's id is the deployment's to give, never a file's (StagingFence).
      parse(
          service,
          service.equals("attack-worker")
              ? Map.of("ADVRANK_STAGING_CLUSTER_ID", "Yf7uDoxZQWKwI5nDbGkU1w")
              : Map.of());
    }
    assertEquals(SERVICES.size(), Repo.SETTINGS.toFile().list().length, "one file per service");
  }

  @Test
  void composeEnvironmentsParse() throws IOException {
    JsonNode compose = Yaml.file(Repo.COMPOSE.resolve("compose.yaml"));
    for (String service : SERVICES.keySet()) {
      parse(service, advrankVariables(compose.path("services").path(service).path("environment")));
    }
  }

  @Test
  void kubernetesEnvironmentsParse() throws Exception {
    assumeTrue(Kustomize.available(), "kubectl not on the PATH: overlays not rendered");
    for (List<JsonNode> objects : Kustomize.overlays().values()) {
      for (JsonNode w : KustomizeOverlaysTest.workloads(objects)) {
        String service = w.path("metadata").path("name").asText();
        Map<String, String> env = PodEnvironment.of(w, service + "-0");
        parse(service, advrankVariables(mapper().valueToTree(env)));
      }
    }
  }

  @Test
  void refusesAnUnknownKey() throws IOException {
    Path typo = Files.createTempFile("ranker", ".properties");
    try {
      Files.writeString(typo, "ranking.kk=20\n");
      SettingsException e =
          assertThrows(
              SettingsException.class,
              () ->
                  RankerSettings.from(
                      SettingsSource.load(RankerSettings.KEYS, Map.of(), Map.of(), typo)));
      assertTrue(e.getMessage().contains("ranking.kk"), e.getMessage());
    } finally {
      Files.delete(typo);
    }
  }

  /** The ADVRANK_* variables of an environment mapping; values must be strings. */
  private static Map<String, String> advrankVariables(JsonNode environment) {
    Map<String, String> env = new TreeMap<>();
    environment
        .fields()
        .forEachRemaining(
            f -> {
              if (f.getKey().startsWith("ADVRANK_")) {
                assertTrue(f.getValue().isTextual(), f.getKey() + " must be a string");
                env.put(f.getKey(), f.getValue().asText());
              }
            });
    return env;
  }

  private static ObjectMapper mapper() {
    return new ObjectMapper();
  }
}
