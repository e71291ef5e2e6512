package io.advrank.runtime.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.runtime.wire.ProtoSerde;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

class TopicsTest {

  @Test
  void namesEveryTopicOfTheArchitectureOnce() {
    assertEquals(
        Set.of(
            "advrank.catalog",
            "advrank.queries",
            "advrank.catalog.delivered",
            "advrank.queries.delivered",
            "advrank.adversarial",
            "advrank.rank-shifts",
            "advrank.rankings",
            "advrank.catalog.observations",
            "advrank.alerts",
            "advrank.models",
            "advrank.model-decisions",
            "advrank.dead-letter"),
        Topics.names());
    assertEquals(Topics.names().size(), Topics.all().size());
  }

  @Test
  void modelsAndCatalogsAreCompactedAndEventsAreDeleted() {
    NewTopic models = Topics.MODELS.newTopic((short) 1);

    assertEquals("compact", models.configs().get("cleanup.policy"));
    assertEquals(1, models.numPartitions());
    assertEquals("compact", Topics.CATALOG.newTopic((short) 3).configs().get("cleanup.policy"));
    assertEquals(
        "compact", Topics.CATALOG_DELIVERED.newTopic((short) 3).configs().get("cleanup.policy"));
    assertEquals("delete", Topics.QUERIES.newTopic((short) 3).configs().get("cleanup.policy"));
    assertEquals(3, Topics.CATALOG.newTopic((short) 3).replicationFactor());
  }

  @Test
  void threeReplicasNeedTwoInSyncOneBrokerNeedsOne() {
    assertEquals("2", Topics.RANKINGS.newTopic((short) 3).configs().get("min.insync.replicas"));
    assertEquals("1", Topics.RANKINGS.newTopic((short) 1).configs().get("min.insync.replicas"));
    assertEquals("1", Topics.RANKINGS.newTopic((short) 2).configs().get("min.insync.replicas"));
  }

  @Test
  void bindsProtobufValueSerdesAndStringKeys() {
    for (Topic<?, ?> topic : Topics.all()) {
      if (topic == Topics.DEAD_LETTER) {
        assertTrue(topic.valueSerde() instanceof Serdes.ByteArraySerde);
      } else {
        assertTrue(topic.keySerde() instanceof Serdes.StringSerde, topic.name());
        assertTrue(topic.valueSerde() instanceof ProtoSerde, topic.name());
      }
    }
    assertEquals(
        "advrank.v1.ModelVersion", ((ProtoSerde<?>) Topics.MODELS.valueSerde()).typeName());
  }

  @Test
  void modelChunkKeysAreVersionSlashIndex() {
    assertEquals("v7/3", Topics.modelChunkKey("v7", 3));
    assertThrows(IllegalArgumentException.class, () -> Topics.modelChunkKey("a/b", 0));
    assertThrows(IllegalArgumentException.class, () -> Topics.modelChunkKey("v7", -1));
  }

  @Test
  void findsTopicsByName() {
    assertEquals(Topics.RANKINGS, Topics.byName("advrank.rankings").orElseThrow());
    assertTrue(Topics.byName("nope").isEmpty());
  }

  @Test
  void rejectsBadTopicDefinitions() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new Topic<>(
                "bad name", Serdes.String(), Serdes.String(), 1, Topic.Cleanup.DELETE, Map.of()));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new Topic<>("ok", Serdes.String(), Serdes.String(), 0, Topic.Cleanup.DELETE, Map.of()));
  }
}
