package io.advrank.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.advrank.attackworker.AttackWorkerAcls;
import io.advrank.attackworker.AttackWorkerSettings;
import io.advrank.defensetrainer.DefenseTrainerAcls;
import io.advrank.defensetrainer.DefenseTrainerSettings;
import io.advrank.monitor.MonitorAcls;
import io.advrank.monitor.MonitorSettings;
import io.advrank.producer.ProducerAcls;
import io.advrank.ranker.RankerAcls;
import io.advrank.ranker.RankerSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes services connect to Strimzi's TLS + SCRAM-SHA-512 listener, each as its own {@code
 * KafkaUser} whose ACLs are exactly what that service's {@code *Acls} class grants for the settings
 * it runs with (its settings file and its pod's variables): an ACL added to the code but not to
 * {@code kafka/users.yaml}, or the other way round, fails here. The files are read from the base
 * directly, so this runs without kubectl.
 */
class KafkaUsersTest {
  private static final Path BASE = Repo.K8S.resolve("base");
  private static final List<String> SERVICES =
      List.of("producer", "attack-worker", "ranker", "monitor", "defense-trainer");

  /**
   * Stands for the generated end of a Deployment's pod names ({@code ranker-5d8f7c-x2k9q}): an id
   * taken from the pod name can only be granted as a prefix.
   */
  private static final String GENERATED = "GENERATEDPODSUFFIX";

  /** One ACL as Strimzi writes it: resource type, name, pattern, operation (allow, any host). */
  record Rule(String type, String name, String pattern, String operation)
      implements Comparable<Rule> {
    @Override
    public int compareTo(Rule o) {
      return toString().compareTo(o.toString());
    }

    String yaml() {
      return String.format(
          "      - resource: {type: %s, name: %s, patternType: %s}%n        operations: [%s]%n",
          type, name, pattern, operation);
    }
  }

  @Test
  void everyServiceIsAKafkaUserWithExactlyTheAclsItsCodeGrants() throws IOException {
    Map<String, JsonNode> users = users();
    for (String service : SERVICES) {
      JsonNode workload = workload(service);
      Map<String, String> env = PodEnvironment.of(workload, "x");
      String username = env.get("ADVRANK_KAFKA_SASL_USERNAME");
      JsonNode user = users.get(username);
      assertTrue(user != null, service + " logs in as " + username + ", which has no KafkaUser");
      assertEquals(
          "scram-sha-512", user.at("/spec/authentication/type").asText(), username + ": login");
      assertEquals("simple", user.at("/spec/authorization/type").asText(), username);
      Set<Rule> expected = granted(service, workload, "User:" + username);
      Optional<String> mismatch = mismatch(expected, rules(user));
      assertTrue(mismatch.isEmpty(), username + ": " + mismatch.orElse(""));
    }
  }

  @Test
  void servicesUseTheScramListenerOverTlsAndTheirOwnSecret() throws IOException {
    JsonNode kafka =
        Yaml.documents(Files.readString(BASE.resolve("kafka/kafka.yaml"))).stream()
            .filter(d -> d.path("kind").asText().equals("Kafka"))
            .findFirst()
            .orElseThrow();
    assertEquals("simple", kafka.at("/spec/kafka/authorization/type").asText(), "authorizer");
    for (JsonNode listener : kafka.at("/spec/kafka/listeners")) {
      assertTrue(listener.path("tls").asBoolean(), "every listener encrypts: " + listener);
      assertTrue(listener.has("authentication"), "every listener authenticates: " + listener);
    }
    for (String service : SERVICES) {
      JsonNode workload = workload(service);
      Map<String, String> env = PodEnvironment.of(workload, "x");
      int port = Integer.parseInt(env.get("ADVRANK_KAFKA_BOOTSTRAP_SERVERS").replaceAll(".*:", ""));
      JsonNode listener = null;
      for (JsonNode l : kafka.at("/spec/kafka/listeners")) {
        listener = l.path("port").asInt() == port ? l : listener;
      }
      assertTrue(listener != null, service + ": no listener on port " + port);
      assertEquals("scram-sha-512", listener.at("/authentication/type").asText(), service);
      assertEquals("SASL_SSL", env.get("ADVRANK_KAFKA_SECURITY_PROTOCOL"), service);
      assertEquals("SCRAM-SHA-512", env.get("ADVRANK_KAFKA_SASL_MECHANISM"), service);
      String username = env.get("ADVRANK_KAFKA_SASL_USERNAME");
      JsonNode password = secretRef(workload, "ADVRANK_KAFKA_SASL_PASSWORD");
      // The User Operator writes a SCRAM user's password to the Secret named as the user.
      assertEquals(username, password.path("name").asText(), service);
      assertEquals("password", password.path("key").asText(), service);
      JsonNode trust = secretRef(workload, "ADVRANK_KAFKA_SSL_TRUSTSTORE_PASSWORD");
      assertEquals("advrank-cluster-ca-cert", trust.path("name").asText(), service);
      assertEquals("ca.password", trust.path("key").asText(), service);
    }
  }

  @Test
  void aMissingOrAnExtraAclIsReported() {
    Set<Rule> granted =
        new TreeSet<>(
            List.of(
                new Rule("topic", "advrank.rankings", "literal", "Write"),
                new Rule("group", "advrank-ranker", "literal", "Read")));
    Set<Rule> missing = new TreeSet<>(granted);
    missing.remove(new Rule("group", "advrank-ranker", "literal", "Read"));
    Set<Rule> extra = new TreeSet<>(granted);
    extra.add(new Rule("topic", "advrank.", "prefix", "Write"));
    assertTrue(mismatch(granted, granted).isEmpty());
    assertTrue(mismatch(granted, missing).orElseThrow().contains("missing"));
    assertTrue(mismatch(granted, extra).orElseThrow().contains("not granted by the code"));
  }

  /** What is wrong with {@code actual}, with the YAML of the rules the code grants. */
  static Optional<String> mismatch(Set<Rule> expected, Set<Rule> actual) {
    Set<Rule> missing = new TreeSet<>(expected);
    missing.removeAll(actual);
    Set<Rule> extra = new TreeSet<>(actual);
    extra.removeAll(expected);
    if (missing.isEmpty() && extra.isEmpty()) {
      return Optional.empty();
    }
    StringBuilder b = new StringBuilder();
    b.append("ACLs missing: ").append(missing).append("; not granted by the code: ").append(extra);
    b.append("\nthe code's ACLs as KafkaUser acls:\n");
    expected.forEach(r -> b.append(r.yaml()));
    return Optional.of(b.toString());
  }

  /** The rules a service's code grants, over every pod the workload may run. */
  private static Set<Rule> granted(String service, JsonNode workload, String principal) {
    Set<Rule> out = new TreeSet<>();
    for (String pod : pods(service, workload)) {
      Object settings = SettingsFilesTest.parse(service, PodEnvironment.of(workload, pod));
      for (AclBinding b : acls(service, settings, principal)) {
        assertEquals(AclPermissionType.ALLOW, b.entry().permissionType());
        assertEquals("*", b.entry().host());
        assertEquals(principal, b.entry().principal());
        String name = b.pattern().name();
        PatternType pattern = b.pattern().patternType();
        if (name.endsWith(GENERATED)) {
          assertEquals(PatternType.LITERAL, pattern, name);
          name = name.substring(0, name.length() - GENERATED.length());
          pattern = PatternType.PREFIXED;
        }
        out.add(
            new Rule(
                camel(b.pattern().resourceType().name()),
                name,
                pattern == PatternType.PREFIXED ? "prefix" : "literal",
                pascal(b.entry().operation().name())));
      }
    }
    return out;
  }

  /**
   * A StatefulSet's pods are {@code name-0} up to its most replicas (KEDA's {@code
   * maxReplicaCount}); a Deployment's end in generated characters.
   */
  private static List<String> pods(String service, JsonNode workload) {
    List<String> pods = new ArrayList<>();
    if (workload.path("kind").asText().equals("StatefulSet")) {
      int max = workload.at("/spec/replicas").asInt(1);
      try {
        for (JsonNode d : Yaml.documents(Files.readString(BASE.resolve("monitoring/keda.yaml")))) {
          if (d.at("/spec/scaleTargetRef/name").asText().equals(service)) {
            max = Math.max(max, d.at("/spec/maxReplicaCount").asInt());
          }
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      for (int i = 0; i < max; i++) {
        pods.add(service + "-" + i);
      }
    } else {
      pods.add(service + "-" + GENERATED);
    }
    return pods;
  }

  private static List<AclBinding> acls(String service, Object settings, String principal) {
    return switch (service) {
      case "producer" -> ProducerAcls.of(principal);
      case "attack-worker" -> AttackWorkerAcls.of((AttackWorkerSettings) settings, principal);
      case "ranker" -> RankerAcls.of((RankerSettings) settings, principal);
      case "monitor" -> MonitorAcls.of((MonitorSettings) settings, principal);
      case "defense-trainer" -> DefenseTrainerAcls.of((DefenseTrainerSettings) settings, principal);
      default -> throw new IllegalArgumentException(service);
    };
  }

  /** A KafkaUser's ACLs, one rule per operation. */
  private static Set<Rule> rules(JsonNode user) {
    Set<Rule> out = new TreeSet<>();
    for (JsonNode acl : user.at("/spec/authorization/acls")) {
      assertEquals("allow", acl.path("type").asText("allow"), acl.toString());
      assertEquals("*", acl.path("host").asText("*"), acl.toString());
      JsonNode r = acl.path("resource");
      for (JsonNode op : acl.path("operations")) {
        out.add(
            new Rule(
                r.path("type").asText(),
                r.path("name").asText(),
                r.path("patternType").asText("literal"),
                op.asText()));
      }
    }
    return out;
  }

  private static Map<String, JsonNode> users() throws IOException {
    Map<String, JsonNode> users = new HashMap<>();
    for (JsonNode d : Yaml.documents(Files.readString(BASE.resolve("kafka/users.yaml")))) {
      users.put(d.at("/metadata/name").asText(), d);
    }
    return users;
  }

  private static JsonNode workload(String service) throws IOException {
    for (JsonNode d :
        Yaml.documents(Files.readString(BASE.resolve("services").resolve(service + ".yaml")))) {
      if (Set.of("Deployment", "StatefulSet").contains(d.path("kind").asText())) {
        return d;
      }
    }
    throw new IllegalStateException("no workload in services/" + service + ".yaml");
  }

  private static JsonNode secretRef(JsonNode workload, String variable) {
    for (JsonNode e : workload.at("/spec/template/spec/containers/0/env")) {
      if (e.path("name").asText().equals(variable)) {
        return e.at("/valueFrom/secretKeyRef");
      }
    }
    throw new AssertionError(variable + " not set");
  }

  /** TRANSACTIONAL_ID to transactionalId, TOPIC to topic. */
  private static String camel(String kafkaName) {
    String p = pascal(kafkaName);
    return Character.toLowerCase(p.charAt(0)) + p.substring(1);
  }

  /** IDEMPOTENT_WRITE to IdempotentWrite. */
  private static String pascal(String kafkaName) {
    StringBuilder b = new StringBuilder();
    for (String part : kafkaName.toLowerCase(Locale.ROOT).split("_")) {
      b.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
    }
    return b.toString();
  }
}
