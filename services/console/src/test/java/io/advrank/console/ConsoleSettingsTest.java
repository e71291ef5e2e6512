package io.advrank.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.runtime.model.ModelTrust;
import io.advrank.runtime.settings.SettingsException;
import io.advrank.runtime.settings.SettingsSource;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsoleSettingsTest {
  private static ConsoleSettings load(Map<String, String> flags, Map<String, String> env) {
    return ConsoleSettings.from(SettingsSource.load(ConsoleSettings.KEYS, flags, env, null));
  }

  @Test
  void defaultsToLoopbackOnItsOwnPortAndGroup() {
    ConsoleSettings s = load(Map.of(), Map.of());
    assertEquals("127.0.0.1", s.host());
    assertEquals(ConsoleSettings.DEFAULT_PORT, s.port());
    assertTrue(s.groupId().matches("advrank-console-[0-9a-f]{8}"), s.groupId());
    assertNotEquals(s.groupId(), load(Map.of(), Map.of()).groupId());
    assertEquals("", s.monitorUrl());
  }

  @Test
  void readsTheEnvironmentAndTrimsTheMonitorUrl() {
    ConsoleSettings s =
        load(
            Map.of(ConsoleSettings.MONITOR_URL.key(), "http://monitor:9420/"),
            Map.of("ADVRANK_CONSOLE_PORT", "0"));
    assertEquals(0, s.port());
    assertEquals("http://monitor:9420", s.monitorUrl());
  }

  @Test
  void namesTheSettingAndTheBadValue() {
    SettingsException port =
        assertThrows(
            SettingsException.class,
            () -> load(Map.of(ConsoleSettings.PORT.key(), "70000"), Map.of()));
    assertEquals(
        "setting 'console.port' must be 0..65535, got '70000' (from flag --console.port)",
        port.getMessage());
    SettingsException url =
        assertThrows(
            SettingsException.class,
            () -> load(Map.of(ConsoleSettings.MONITOR_URL.key(), "monitor:9420"), Map.of()));
    assertEquals(
        "setting 'console.monitor.url' has bad value 'monitor:9420' (from flag"
            + " --console.monitor.url): must be an http:// or https:// URL or empty",
        url.getMessage());
  }

  @Test
  void refusesABadGroupOrUrlAlsoInARecordBuiltInCode() {
    SettingsException group =
        assertThrows(
            SettingsException.class,
            () -> load(Map.of(ConsoleSettings.GROUP_ID.key(), "two words"), Map.of()));
    assertTrue(
        group.getMessage().startsWith("setting 'console.group.id' must be"), group.getMessage());
    ConsoleSettings ok = load(Map.of(), Map.of());
    SettingsException url =
        assertThrows(
            SettingsException.class,
            () ->
                new ConsoleSettings(
                    ok.host(),
                    ok.port(),
                    "ftp://x",
                    ok.groupId(),
                    0,
                    ok.kafka(),
                    ok.token(),
                    ModelTrust.NONE));
    assertEquals(
        "setting 'console.monitor.url' must be an http:// or https:// URL or empty, got 'ftp://x'",
        url.getMessage());
    assertEquals(
        "http://m:1",
        new ConsoleSettings(
                ok.host(),
                ok.port(),
                " http://m:1// ",
                ok.groupId(),
                0,
                ok.kafka(),
                ok.token(),
                ModelTrust.NONE)
            .monitorUrl());
  }
}
