package io.advrank.runtime.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsSourceTest {
  private static final Set<String> KEYS =
      Set.of(
          "metrics.port", "attack.epsilon", "batch-size", "window", "mode", "targets", "dry.run");

  private enum Mode {
    FAST,
    EXACT_MATCH
  }

  @TempDir Path dir;

  private Path file(String content) throws IOException {
    Path p = dir.resolve("service.properties");
    Files.writeString(p, content);
    return p;
  }

  @Test
  void flagBeatsEnvironmentBeatsFile() throws IOException {
    Path props = file("metrics.port=1\nattack.epsilon=0.1\nbatch-size=16\n");
    Map<String, String> env = Map.of("ADVRANK_METRICS_PORT", "2", "ADVRANK_ATTACK_EPSILON", "0.3");
    Map<String, String> flags = Map.of("metrics.port", "3");

    SettingsSource s = SettingsSource.load(KEYS, flags, env, props);

    assertEquals(3, s.intValue("metrics.port", 0));
    assertEquals(0.3, s.doubleValue("attack.epsilon", 0));
    assertEquals(16, s.intValue("batch-size", 0));
    assertEquals(99, s.intValue("window", 99)); // nowhere: default
    assertEquals("flag --metrics.port", s.origin("metrics.port"));
    assertEquals("environment variable ADVRANK_ATTACK_EPSILON", s.origin("attack.epsilon"));
    assertEquals("settings file " + props, s.origin("batch-size"));
    assertEquals("default", s.origin("window"));
  }

  @Test
  void mapsKeysToEnvironmentNames() {
    assertEquals("ADVRANK_FOO_BAR", SettingsSource.envName("foo.bar"));
    assertEquals("ADVRANK_BATCH_SIZE", SettingsSource.envName("batch-size"));
  }

  @Test
  void reportsUnknownKeysInTheFile() throws IOException {
    Path props = file("metrics.port=1\nmetrics.prot=2\n");

    SettingsException e =
        assertThrows(
            SettingsException.class, () -> SettingsSource.load(KEYS, Map.of(), Map.of(), props));

    assertTrue(e.getMessage().contains("unknown setting [metrics.prot]"), e.getMessage());
    assertTrue(e.getMessage().contains(props.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("metrics.port"), e.getMessage()); // lists the known ones
  }

  @Test
  void ignoresUnrelatedEnvironmentVariables() {
    SettingsSource s =
        SettingsSource.load(
            KEYS, Map.of(), Map.of("ADVRANK_SOMETHING_ELSE", "x", "PATH", "/bin"), null);

    assertEquals(7, s.intValue("metrics.port", 7));
  }

  @Test
  void badValueMessageNamesSettingValueOriginAndWhatIsAccepted() {
    SettingsSource s =
        SettingsSource.load(KEYS, Map.of(), Map.of("ADVRANK_METRICS_PORT", "nine"), null);

    SettingsException e =
        assertThrows(SettingsException.class, () -> s.intValue("metrics.port", 9404));

    assertEquals(
        "setting 'metrics.port' has bad value 'nine' (from environment variable"
            + " ADVRANK_METRICS_PORT): expected an integer, e.g. 8",
        e.getMessage());
  }

  @Test
  void requiredSettingMessageSaysHowToSetIt() {
    SettingsSource s = SettingsSource.load(KEYS, Map.of(), Map.of(), null);

    SettingsException e = assertThrows(SettingsException.class, () -> s.string("mode"));

    assertTrue(e.getMessage().contains("--mode"), e.getMessage());
    assertTrue(e.getMessage().contains("ADVRANK_MODE"), e.getMessage());
  }

  @Test
  void parsesTypedValues() {
    Map<String, String> flags =
        Map.of(
            "window", "250ms",
            "mode", "exact-match",
            "targets", " a, b ,c",
            "dry.run", "TRUE",
            "attack.epsilon", "0.03");

    SettingsSource s = SettingsSource.load(KEYS, flags, Map.of(), null);

    assertEquals(Duration.ofMillis(250), s.duration("window", Duration.ZERO));
    assertEquals(Mode.EXACT_MATCH, s.enumValue("mode", Mode.class, Mode.FAST));
    assertEquals(List.of("a", "b", "c"), s.list("targets", List.of()));
    assertTrue(s.bool("dry.run", false));
    assertEquals(0.03, s.doubleValue("attack.epsilon", 0));
  }

  @Test
  void parsesDurationForms() {
    assertEquals(Duration.ofSeconds(10), SettingsSource.Durations.parse("10s"));
    assertEquals(Duration.ofMinutes(5), SettingsSource.Durations.parse("5m"));
    assertEquals(Duration.ofHours(2), SettingsSource.Durations.parse("2h"));
    assertEquals(Duration.ofSeconds(10), SettingsSource.Durations.parse("PT10S"));
    assertThrows(
        IllegalArgumentException.class, () -> SettingsSource.Durations.parse("10 parsecs"));
    assertThrows(IllegalArgumentException.class, () -> SettingsSource.Durations.parse("PT-1S"));
  }

  @Test
  void rejectsValuesOutsideTheAcceptedForms() {
    SettingsSource s =
        SettingsSource.load(
            KEYS,
            Map.of("mode", "slow", "dry.run", "yes", "attack.epsilon", "NaN"),
            Map.of(),
            null);

    SettingsException mode =
        assertThrows(SettingsException.class, () -> s.enumValue("mode", Mode.class, Mode.FAST));
    assertTrue(mode.getMessage().endsWith("expected one of fast, exact-match"), mode.getMessage());
    assertThrows(SettingsException.class, () -> s.bool("dry.run", false));
    assertThrows(SettingsException.class, () -> s.doubleValue("attack.epsilon", 0));
  }

  @Test
  void rejectsUnknownFlagsAndUndeclaredLookups() {
    assertThrows(
        SettingsException.class,
        () -> SettingsSource.load(KEYS, Map.of("nope", "1"), Map.of(), null));
    SettingsSource s = SettingsSource.load(KEYS, Map.of(), Map.of(), null);
    assertThrows(IllegalArgumentException.class, () -> s.find("undeclared"));
  }

  @Test
  void missingFileIsASettingsError() {
    Path missing = dir.resolve("absent.properties");

    SettingsException e =
        assertThrows(
            SettingsException.class, () -> SettingsSource.load(KEYS, Map.of(), Map.of(), missing));

    assertTrue(e.getMessage().contains("absent.properties"), e.getMessage());
  }
}
