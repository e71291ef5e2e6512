package io.advrank.ranker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.runtime.settings.SettingsException;
import io.advrank.runtime.settings.SettingsSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RankerSettingsTest {
  private static RankerSettings load(Map<String, String> flags) {
    return RankerSettings.from(SettingsSource.load(RankerSettings.KEYS, flags, Map.of(), null));
  }

  @Test
  void defaultsServeTheShippedModelInGroupAdvrankRanker() {
    RankerSettings s = load(Map.of());

    assertEquals(RankerSettings.DEFAULT_MODEL_DIR, s.modelDir());
    assertEquals(10, s.topK());
    assertEquals(64, s.queryBatchMax());
    assertEquals(Duration.ZERO, s.queryBatchWait());
    assertEquals("advrank-ranker", s.groupId());
    assertEquals(RankerSettings.DEFAULT_METRICS_PORT, s.metricsPort());
  }

  @Test
  void readsEnvironmentVariables() {
    RankerSettings s =
        RankerSettings.from(
            SettingsSource.load(
                RankerSettings.KEYS,
                Map.of(),
                Map.of(
                    "ADVRANK_MODEL_DIR",
                    "/m",
                    "ADVRANK_RANKING_K",
                    "5",
                    "ADVRANK_INDEX_REBUILD_INTERVAL",
                    "250ms"),
                null));

    assertEquals(Path.of("/m"), s.modelDir());
    assertEquals(5, s.topK());
    assertEquals(Duration.ofMillis(250), s.rebuildInterval());
  }

  @Test
  void rejectsOutOfRangeValuesNamingTheSetting() {
    SettingsException k =
        assertThrows(SettingsException.class, () -> load(Map.of("ranking.k", "0")));
    SettingsException batch =
        assertThrows(SettingsException.class, () -> load(Map.of("query.batch.max", "100000")));
    SettingsException group =
        assertThrows(SettingsException.class, () -> load(Map.of("group.id", "")));

    assertTrue(k.getMessage().contains("'ranking.k'") && k.getMessage().contains("'0'"));
    assertTrue(batch.getMessage().contains("'query.batch.max'"), batch.getMessage());
    assertTrue(group.getMessage().contains("'group.id'"), group.getMessage());
  }
}
