package io.advrank.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checks can fail: broken objects of each kind of schema are refused, with the field named. */
class SchemaStrictnessTest {
  private final KubernetesSchemas schemas = new KubernetesSchemas();

  private static JsonNode yaml(String text) {
    return Yaml.documents(text).get(0);
  }

  private static final String DEPLOYMENT =
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: ranker}
      spec:
        replicas: %s
        selector: {matchLabels: {app: ranker}}
        template:
          metadata: {labels: {app: ranker}}
          spec:
            containers:
              - name: ranker
                image: advrank/ranker
                %s
      """;

  @Test
  void acceptsAWellFormedDeployment() {
    assertEquals(List.of(), schemas.problems(yaml(DEPLOYMENT.formatted("2", "args: [a]"))));
  }

  @Test
  void refusesAnUnknownFieldInABuiltInKind() {
    List<String> problems = schemas.problems(yaml(DEPLOYMENT.formatted("2", "imagePullPolice: x")));
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).contains("imagePullPolice"), problems.get(0));
  }

  @Test
  void refusesAWrongTypeInABuiltInKind() {
    assertEquals(1, schemas.problems(yaml(DEPLOYMENT.formatted("two", "args: [a]"))).size());
    // Kubernetes takes no string for an integer, nor a number for a string.
    assertEquals(1, schemas.problems(yaml(DEPLOYMENT.formatted("\"2\"", "args: [a]"))).size());
    assertEquals(1, schemas.problems(yaml(DEPLOYMENT.formatted("2", "args: [1]"))).size());
  }

  @Test
  void refusesAnUnknownMetadataField() {
    List<String> problems =
        schemas.problems(
            yaml("{apiVersion: v1, kind: ConfigMap, metadata: {name: a, label: {x: y}}}"));
    assertEquals(1, problems.size(), problems.toString());
  }

  private static final String TOPIC =
      """
      apiVersion: kafka.strimzi.io/v1
      kind: KafkaTopic
      metadata: {name: advrank.catalog, labels: {strimzi.io/cluster: advrank}}
      spec:
        partitions: %s
        replicas: 3
        %s
      """;

  @Test
  void acceptsAWellFormedCustomResource() {
    assertEquals(
        List.of(), schemas.problems(yaml(TOPIC.formatted("4", "config: {retention.ms: 1}"))));
  }

  @Test
  void refusesAnUnknownFieldInACustomResource() {
    List<String> problems = schemas.problems(yaml(TOPIC.formatted("4", "replication: 3")));
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).contains("replication"), problems.get(0));
  }

  @Test
  void refusesAWrongTypeInACustomResource() {
    assertEquals(1, schemas.problems(yaml(TOPIC.formatted("four", ""))).size());
  }

  @Test
  void keepsFieldsOpenWhereTheSchemaPreservesUnknownFields() {
    // KafkaTopic's spec.config is x-kubernetes-preserve-unknown-fields: any topic config goes.
    assertEquals(
        List.of(), schemas.problems(yaml(TOPIC.formatted("4", "config: {no.such.config: x}"))));
  }

  @Test
  void refusesAKindWithoutASchema() {
    List<String> problems =
        schemas.problems(yaml("{apiVersion: example.com/v1, kind: Widget, metadata: {name: a}}"));
    assertEquals(1, problems.size());
    assertTrue(problems.get(0).contains("no schema"), problems.get(0));
  }

  @Test
  void refusesAScaledObjectWithAWrongType() {
    String scaled =
        """
        apiVersion: keda.sh/v1alpha1
        kind: ScaledObject
        metadata: {name: w}
        spec:
          scaleTargetRef: {name: w}
          maxReplicaCount: %s
          triggers: [{type: kafka, metadata: {lagThreshold: "10"}}]
        """;
    assertEquals(List.of(), schemas.problems(yaml(scaled.formatted("4"))));
    assertEquals(1, schemas.problems(yaml(scaled.formatted("[4]"))).size());
  }
}
