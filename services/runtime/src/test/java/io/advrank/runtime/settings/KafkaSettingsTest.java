package io.advrank.runtime.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaSettingsTest {

  @Test
  void readsFromSourceWithLocalDefaults() {
    SettingsSource none = SettingsSource.load(KafkaSettings.KEYS, Map.of(), Map.of(), null);
    SettingsSource cluster =
        SettingsSource.load(
            KafkaSettings.KEYS,
            Map.of(),
            Map.of(
                "ADVRANK_KAFKA_BOOTSTRAP_SERVERS",
                "k1:9092,k2:9092",
                "ADVRANK_KAFKA_REPLICATION_FACTOR",
                "3"),
            null);

    assertEquals(new KafkaSettings("localhost:9092", (short) 1), KafkaSettings.from(none));
    assertEquals(new KafkaSettings("k1:9092,k2:9092", (short) 3), KafkaSettings.from(cluster));
  }

  @Test
  void compactConstructorNamesTheSettingAndBadValue() {
    SettingsException e =
        assertThrows(SettingsException.class, () -> new KafkaSettings("k1:9092,oops", (short) 1));

    assertTrue(e.getMessage().contains("kafka.bootstrap.servers"), e.getMessage());
    assertTrue(e.getMessage().contains("'oops'"), e.getMessage());
    assertThrows(SettingsException.class, () -> new KafkaSettings("k:1", (short) 0));
  }

  @Test
  void rejectsReplicationFactorOutOfRange() {
    SettingsSource s =
        SettingsSource.load(
            KafkaSettings.KEYS, Map.of("kafka.replication.factor", "0"), Map.of(), null);

    SettingsException e = assertThrows(SettingsException.class, () -> KafkaSettings.from(s));

    assertTrue(e.getMessage().contains("flag --kafka.replication.factor"), e.getMessage());
  }
}
