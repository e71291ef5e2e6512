package io.advrank.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.runtime.settings.SettingsException;
import io.advrank.runtime.settings.SettingsSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProducerSettingsTest {
  private static ProducerSettings load(Map<String, String> flags) {
    return ProducerSettings.from(SettingsSource.load(ProducerSettings.KEYS, flags, Map.of(), null));
  }

  @Test
  void defaultsStreamTheWholeTestSplitAtTenQueriesPerSecondForever() {
    ProducerSettings s = load(Map.of());

    assertEquals(ProducerSettings.DEFAULT_DATA_DIR, s.dataDir());
    assertEquals(0, s.catalogLimit());
    assertEquals(0, s.catalogRate());
    assertEquals(10, s.queryRate());
    assertFalse(s.queriesBounded());
    assertEquals("localhost:9092", s.kafka().bootstrapServers());
  }

  @Test
  void readsEveryKey() {
    ProducerSettings s =
        load(
            Map.of(
                "data.dir", "/tmp/d",
                "catalog.limit", "500",
                "catalog.rate", "100",
                "query.rate", "2.5",
                "query.limit", "40",
                "query.duration", "30s",
                "query.held-out", "true",
                "seed", "7",
                "producer.id", "p-1",
                "kafka.bootstrap.servers", "h:1"));

    assertEquals(Path.of("/tmp/d"), s.dataDir());
    assertEquals(500, s.catalogLimit());
    assertEquals(100, s.catalogRate());
    assertEquals(2.5, s.queryRate());
    assertEquals(40, s.queryLimit());
    assertEquals(Duration.ofSeconds(30), s.queryDuration());
    assertTrue(s.queryHeldOut());
    assertEquals(7, s.seed());
    assertEquals("p-1", s.producerId());
    assertTrue(s.queriesBounded());
  }

  @Test
  void rejectsZeroQueryRateNamingTheSetting() {
    SettingsException e =
        assertThrows(SettingsException.class, () -> load(Map.of("query.rate", "0")));

    assertTrue(e.getMessage().contains("'query.rate'"), e.getMessage());
    assertTrue(e.getMessage().contains("got '0' (from flag --query.rate)"), e.getMessage());
  }

  @Test
  void rejectsNegativeCatalogLimitAndBadProducerId() {
    SettingsException limit =
        assertThrows(SettingsException.class, () -> load(Map.of("catalog.limit", "-1")));
    SettingsException id =
        assertThrows(SettingsException.class, () -> load(Map.of("producer.id", "a b")));

    assertTrue(limit.getMessage().contains("'catalog.limit'"), limit.getMessage());
    assertTrue(id.getMessage().contains("'producer.id'"), id.getMessage());
  }

  @Test
  void rejectsUnknownFlags() {
    assertThrows(SettingsException.class, () -> load(Map.of("query.rat", "3")));
  }

  @Test
  void mainParsesFlagsInBothForms() {
    SettingsSource source =
        SettingsSource.fromArgs(
            ProducerSettings.KEYS, new String[] {"--seed=3", "--query.rate", "4"}, Map.of());

    ProducerSettings s = ProducerSettings.from(source);
    assertEquals(3, s.seed());
    assertEquals(4, s.queryRate());
  }
}
