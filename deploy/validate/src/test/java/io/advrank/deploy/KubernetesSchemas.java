package io.advrank.deploy;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Checks Kubernetes objects strictly, as an API server with {@code fieldValidation=Strict} would:
 * an unknown field or a value of the wrong type is an error, never silently dropped.
 *
 * <p>Built-in kinds are read into fabric8's typed model with its catch-all "additional properties"
 * switched off, so every field must be one the model knows. Custom resources are checked against
 * the {@code openAPIV3Schema} of their CRD (committed under {@code deploy/validate/schemas}, see
 * its README), read with Kubernetes' structural-schema rules: an object's fields are closed unless
 * it says {@code x-kubernetes-preserve-unknown-fields}, and {@code x-kubernetes-int-or-string}
 * takes an integer or a string. A kind with neither is an error: every object must have a schema.
 */
final class KubernetesSchemas {
  private static final Map<String, Class<?>> BUILT_IN =
      Map.of(
          "v1/ConfigMap", ConfigMap.class,
          "v1/Service", Service.class,
          "v1/PersistentVolumeClaim", PersistentVolumeClaim.class,
          "v1/Namespace", Namespace.class,
          "v1/Secret", Secret.class,
          "v1/ServiceAccount", ServiceAccount.class,
          "apps/v1/Deployment", Deployment.class,
          "apps/v1/StatefulSet", StatefulSet.class);

  /** Committed CRD schemas by apiVersion/kind; the file name says the same. */
  private static final List<String> CUSTOM =
      List.of(
          "kafka.strimzi.io/v1/Kafka",
          "kafka.strimzi.io/v1/KafkaNodePool",
          "kafka.strimzi.io/v1/KafkaTopic",
          "kafka.strimzi.io/v1/KafkaUser",
          "keda.sh/v1alpha1/ScaledObject",
          "keda.sh/v1alpha1/TriggerAuthentication",
          "monitoring.coreos.com/v1/PodMonitor");

  private final ObjectMapper strict = strictMapper();
  private final Map<String, JsonSchema> custom = new HashMap<>();

  KubernetesSchemas() {
    JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4);
    for (String type : CUSTOM) {
      String file = type.substring(0, type.lastIndexOf('/')).replace('/', '_') + "_" + kind(type);
      try {
        JsonNode schema = Yaml.json(Repo.SCHEMAS.resolve(file + ".json"));
        custom.put(type, factory.getSchema(structural(schema.deepCopy())));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Problems with one object, each naming the object and the field; empty if it is valid. */
  List<String> problems(JsonNode object) {
    String type = object.path("apiVersion").asText() + "/" + object.path("kind").asText();
    String name = type + " " + object.path("metadata").path("name").asText("(no name)");
    List<String> problems = new ArrayList<>();
    Class<?> model = BUILT_IN.get(type);
    if (model != null) {
      read(object, model, name, problems);
    } else if (custom.containsKey(type)) {
      // CRD schemas leave metadata open ({type: object}); the API server checks it as ObjectMeta.
      read(object.path("metadata"), ObjectMeta.class, name + " metadata", problems);
      for (ValidationMessage m : custom.get(type).validate(object)) {
        problems.add(name + ": " + m.getMessage());
      }
    } else {
      problems.add(name + ": no schema for " + type + " (add its CRD's schema, schemas/README.md)");
    }
    return problems;
  }

  private void read(JsonNode node, Class<?> model, String name, List<String> problems) {
    try {
      strict.treeToValue(node, model);
    } catch (IOException | IllegalArgumentException e) {
      problems.add(name + ": " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  private static String kind(String type) {
    return type.substring(type.lastIndexOf('/') + 1);
  }

  /**
   * Jackson with fabric8's catch-all any-setters removed (unknown fields then fail) and no scalar
   * coercion ({@code replicas: "2"} or a number where text belongs fails, as in Kubernetes).
   */
  static ObjectMapper strictMapper() {
    SimpleModule noAnySetter = new SimpleModule("no-any-setter");
    noAnySetter.setDeserializerModifier(
        new BeanDeserializerModifier() {
          @Override
          public BeanDeserializerBuilder updateBuilder(
              DeserializationConfig config, BeanDescription bean, BeanDeserializerBuilder builder) {
            builder.setAnySetter(null);
            return builder;
          }
        });
    ObjectMapper mapper =
        JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .addModule(noAnySetter)
            .build();
    for (LogicalType t : List.of(LogicalType.Textual, LogicalType.Integer, LogicalType.Boolean)) {
      for (CoercionInputShape shape :
          List.of(
              CoercionInputShape.Integer,
              CoercionInputShape.Float,
              CoercionInputShape.Boolean,
              CoercionInputShape.String)) {
        mapper.coercionConfigFor(t).setCoercion(shape, CoercionAction.Fail);
      }
    }
    return mapper;
  }

  /** Kubernetes' structural-schema reading of an openAPIV3Schema, as JSON Schema draft 4. */
  static JsonNode structural(JsonNode schema) {
    if (schema instanceof ObjectNode o) {
      boolean preserve = o.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
      if (o.has("properties") && !o.has("additionalProperties") && !preserve) {
        o.put("additionalProperties", false);
      }
      if (o.path("x-kubernetes-int-or-string").asBoolean(false) && !o.has("type")) {
        ArrayNode anyOf = o.putArray("anyOf");
        anyOf.addObject().put("type", "integer");
        anyOf.addObject().put("type", "string");
      }
      for (Iterator<JsonNode> it = o.elements(); it.hasNext(); ) {
        structural(it.next());
      }
    } else if (schema instanceof ArrayNode a) {
      a.forEach(KubernetesSchemas::structural);
    }
    return schema;
  }

  /** An empty object node, for tests that build objects by hand. */
  static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }
}
