package io.advrank.defensetrainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.runtime.settings.SettingsException;
import io.advrank.runtime.settings.SettingsSource;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DefenseTrainerSettingsTest {
  private static DefenseTrainerSettings load(Map<String, String> flags, Map<String, String> env) {
    return DefenseTrainerSettings.from(
        SettingsSource.load(DefenseTrainerSettings.KEYS, flags, env, null));
  }

  @Test
  void defaultsWarmUpThePapersEpsilonWithFiveIterationsAndAverageTheWeights() {
    DefenseTrainerSettings s = load(Map.of(), Map.of());
    assertEquals(0.3, s.epsilon());
    assertEquals(5, s.attackIterations());
    assertEquals(1500, s.epsilonWarmupSteps());
    assertEquals(0, s.cleanWeight());
    assertEquals(1.9f, s.margin());
    assertEquals(0.998, s.weightAveraging());
    assertEquals(125, s.evalSteps());
    assertEquals(0.06, s.maxRecallDrop());
  }

  @Test
  void readsTheTrainingKnobsFromFlagsAndEnvironment() {
    DefenseTrainerSettings s =
        load(
            Map.of("train.epsilon.warmup.steps", "0", "train.margin", "0.2"),
            Map.of("ADVRANK_TRAIN_CLEAN_WEIGHT", "0.25", "ADVRANK_TRAIN_WEIGHT_AVERAGING", "0"));
    assertEquals(0, s.epsilonWarmupSteps());
    assertEquals(0.25, s.cleanWeight());
    assertEquals(0.2f, s.margin());
    assertEquals(0, s.weightAveraging());
  }

  @Test
  void rejectsOutOfRangeKnobsNamingTheSetting() {
    SettingsException weight =
        assertThrows(
            SettingsException.class, () -> load(Map.of("train.clean.weight", "1"), Map.of()));
    SettingsException warmup =
        assertThrows(
            SettingsException.class,
            () -> load(Map.of("train.epsilon.warmup.steps", "-5"), Map.of()));
    assertTrue(weight.getMessage().contains("train.clean.weight"), weight.getMessage());
    assertTrue(weight.getMessage().contains("[0, 1)"), weight.getMessage());
    assertTrue(warmup.getMessage().contains("train.epsilon.warmup.steps"), warmup.getMessage());
    SettingsException margin =
        assertThrows(SettingsException.class, () -> load(Map.of("train.margin", "0"), Map.of()));
    SettingsException averaging =
        assertThrows(
            SettingsException.class, () -> load(Map.of("train.weight.averaging", "1"), Map.of()));
    assertTrue(margin.getMessage().contains("train.margin"), margin.getMessage());
    assertTrue(averaging.getMessage().contains("train.weight.averaging"), averaging.getMessage());
  }
}
