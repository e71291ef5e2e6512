package io.advrank.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DemoLogTest {
  @Test
  void onlyTheDemoAndTheSoakLogToAFile() {
    assertTrue(DemoLog.wanted("demo", "--duration", "3m"));
    assertTrue(DemoLog.wanted("bench", "soak", "--duration", "30m"));
    assertFalse(DemoLog.wanted("demo", "--help"));
    assertFalse(DemoLog.wanted("bench", "pipeline"));
    assertFalse(DemoLog.wanted("eval", "--model", "demo"));
    assertFalse(DemoLog.wanted());
  }
}
