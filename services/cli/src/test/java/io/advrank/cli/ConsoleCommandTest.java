package io.advrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConsoleCommandTest {
  @Test
  void refusesABadPortNamingTheSetting() {
    CliRun r = CliRun.of("console", "--port", "70000");
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(r.err().contains("setting 'console.port' must be 0..65535, got '70000'"), r.err());
  }

  @Test
  void refusesAMonitorUrlWithoutScheme() {
    CliRun r = CliRun.of("console", "--monitor-url", "localhost:9420");
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(
        r.err()
            .contains(
                "setting 'console.monitor.url' has bad value 'localhost:9420' (from flag"
                    + " --console.monitor.url): must be an http:// or https:// URL or empty"),
        r.err());
  }
}
