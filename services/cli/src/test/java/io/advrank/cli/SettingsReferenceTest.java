package io.advrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.ranker.RankerSettings;
import io.advrank.runtime.settings.SettingsException;
import io.advrank.runtime.settings.SettingsSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docs/settings.md and {@code serve NAME --help} say what the settings records declare. */
class SettingsReferenceTest {
  private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();

  @Test
  void docsSettingsMdIsTheDeclarations() throws IOException {
    String expected = ServeCommand.reference();
    Path page = ROOT.resolve("docs/settings.md");
    String actual = Files.exists(page) ? Files.readString(page) : "";
    if (!expected.equals(actual)) {
      Path fresh = Path.of("target/settings.md");
      Files.writeString(fresh, expected);
      assertEquals(
          expected,
          actual,
          "docs/settings.md is out of date: cp services/cli/" + fresh + " docs/settings.md");
    }
  }

  @Test
  void serveNameHelpListsEverySettingWithItsDefault() {
    CliRun r = CliRun.of("serve", "ranker", "--help");
    assertEquals(0, r.exitCode(), r.err());
    for (var s : RankerSettings.TABLE.own()) {
      assertTrue(
          r.out().contains("--" + s.key() + "=" + s.defaultText()), s.key() + " in " + r.out());
    }
    assertTrue(r.out().contains("ADVRANK_RANKING_K"), r.out());
    assertTrue(r.out().contains("kafka.bootstrap.servers"), "the shared Kafka keys are named");
  }

  @Test
  void aValueOutsideTheDeclaredRuleNamesTheSettingTheRuleAndWhereItCameFrom() {
    SettingsException e =
        assertThrows(
            SettingsException.class,
            () ->
                RankerSettings.from(
                    SettingsSource.load(
                        RankerSettings.KEYS, Map.of(), Map.of("ADVRANK_RANKING_K", "0"), null)));
    assertEquals(
        "setting 'ranking.k' must be 1..1000, got '0' (from environment variable"
            + " ADVRANK_RANKING_K)",
        e.getMessage());
  }
}
