package io.advrank.runtime.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SettingTest {
  private static final Setting<Integer> K = Setting.integer("ranking.k", 10, 1, 1000, "items");
  private static final Setting<Duration> WAIT =
      Setting.duration("batch.wait", Duration.ZERO, Duration.ofSeconds(10), "wait");
  private static final Setting<Integer> EVEN =
      Setting.integer("batch.size", 16, 4, 1024, "images")
          .where(v -> v % 2 == 0, "must be an even number in 4..1024");

  private static SettingsSource flags(Map<String, String> flags) {
    return SettingsSource.load(
        Set.of("ranking.k", "batch.wait", "batch.size"), flags, Map.of(), null);
  }

  @Test
  void readsTheDefaultWhenNothingIsGiven() {
    assertEquals(10, K.read(flags(Map.of())));
    assertEquals(Duration.ZERO, WAIT.read(flags(Map.of())));
  }

  @Test
  void checksAGivenValueAgainstTheDeclaredRule() {
    assertEquals(20, K.read(flags(Map.of("ranking.k", "20"))));
    SettingsException e =
        assertThrows(SettingsException.class, () -> K.read(flags(Map.of("ranking.k", "1001"))));
    assertEquals(
        "setting 'ranking.k' must be 1..1000, got '1001' (from flag --ranking.k)", e.getMessage());
    e = assertThrows(SettingsException.class, () -> WAIT.read(flags(Map.of("batch.wait", "1m"))));
    assertEquals(
        "setting 'batch.wait' must be between 0 and 10s, got '1m' (from flag --batch.wait)",
        e.getMessage());
  }

  @Test
  void aRuleAddedWithWhereHoldsBesidesTheRange() {
    assertEquals(8, EVEN.read(flags(Map.of("batch.size", "8"))));
    SettingsException e =
        assertThrows(SettingsException.class, () -> EVEN.read(flags(Map.of("batch.size", "9"))));
    assertTrue(e.getMessage().contains("must be an even number in 4..1024"), e.getMessage());
  }

  @Test
  void checkGuardsRecordsBuiltInCode() {
    assertEquals(5, K.check(5));
    SettingsException e = assertThrows(SettingsException.class, () -> K.check(0));
    assertEquals("setting 'ranking.k' must be 1..1000, got '0'", e.getMessage());
  }

  @Test
  void aDeclarationWhoseDefaultBreaksItsOwnRuleIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> Setting.integer("x", 0, 1, 10, "doc"));
  }

  @Test
  void parsedSettingsNameTheSettingWhenTheTextIsBad() {
    Setting<Integer> hex =
        Setting.parsed(
            "ranking.k", "ff", (key, text) -> Integer.parseInt(text, 16), "must be hex", "doc");
    assertEquals(255, hex.read(flags(Map.of())));
    SettingsException e =
        assertThrows(SettingsException.class, () -> hex.read(flags(Map.of("ranking.k", "zz"))));
    assertTrue(
        e.getMessage().startsWith("setting 'ranking.k' has bad value 'zz' (from flag"),
        e.getMessage());
  }

  @Test
  void aTableRefusesAKeyDeclaredTwiceAndListsTheSharedKeys() {
    assertThrows(IllegalArgumentException.class, () -> SettingsTable.of("svc", K, K));
    SettingsTable t = SettingsTable.of("svc", K, WAIT).with("Kafka", KafkaSettings.KEYS);
    assertTrue(t.keys().containsAll(KafkaSettings.KEYS));
    assertTrue(t.keys().contains("ranking.k"));
    assertTrue(t.markdown().contains("| `ranking.k` | `10` | 1..1000 | items |"), t.markdown());
  }
}
