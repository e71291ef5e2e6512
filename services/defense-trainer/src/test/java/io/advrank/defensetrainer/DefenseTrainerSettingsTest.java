package io.advrank.defensetrainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.core.attack.AttackProfile;
import io.advrank.core.attack.AttackSpec;
import io.advrank.runtime.settings.SettingsException;
import io.advrank.runtime.settings.SettingsSource;
import java.util.List;
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

  @Test
  void theGateJudgesByTheProbesUnlessErsIsAskedFor() {
    assertEquals(GateMetric.ROBUSTNESS, load(Map.of(), Map.of()).gateMetric());
    assertEquals(GateMetric.ERS, load(Map.of(), Map.of("ADVRANK_GATE_METRIC", "ers")).gateMetric());
    SettingsException bad =
        assertThrows(SettingsException.class, () -> load(Map.of("gate.metric", "r@1"), Map.of()));
    assertEquals(
        "setting 'gate.metric' has bad value 'r@1' (from flag --gate.metric): must be robustness"
            + " or ers, was 'r@1'",
        bad.getMessage());
  }

  @Test
  void rob224TrainsAt8Over255AndProbesAtThePhotoBudgetsUnderItsSchedule() {
    DefenseTrainerSettings s = load(Map.of("train.profile", "rob224"), Map.of());
    assertEquals(AttackProfile.ROB224, s.profile());
    assertEquals(8 / 255.0, s.epsilon(), 1e-12);
    assertEquals(
        4 / 255.0, load(Map.of("train.epsilon", "4/255"), Map.of()).epsilon(), 1e-12, "n/255");
    SettingsException epsilon =
        assertThrows(SettingsException.class, () -> load(Map.of("train.epsilon", "1.5"), Map.of()));
    assertTrue(epsilon.getMessage().contains("train.epsilon"), epsilon.getMessage());
    assertTrue(epsilon.getMessage().contains("must be in (0, 1]"), epsilon.getMessage());
    List<AttackSpec> probes = Figures.probes(s.profile());
    assertEquals(
        List.of(
            "ca_plus_eps4/255", "ca_plus_eps8/255", "sp_qa_plus_eps4/255", "sp_qa_plus_eps8/255"),
        probes.stream().map(Figures::name).toList());
    for (AttackSpec probe : probes) {
      assertEquals(32, probe.schedule().iterations(), "robrank's 32 steps of 1/255");
    }
    assertEquals(
        List.of("ca_plus_eps0.1", "ca_plus_eps0.3", "sp_qa_plus_eps0.1", "sp_qa_plus_eps0.3"),
        Figures.probes(AttackProfile.PAPER).stream().map(Figures::name).toList());
    SettingsException bad =
        assertThrows(
            SettingsException.class, () -> load(Map.of("train.profile", "rob32"), Map.of()));
    assertTrue(bad.getMessage().contains("train.profile"), bad.getMessage());
    assertTrue(bad.getMessage().contains("paper, rob28, rob224"), bad.getMessage());
    assertEquals("act", load(Map.of("train.defense", "act"), Map.of()).defense());
    SettingsException defense =
        assertThrows(
            SettingsException.class, () -> load(Map.of("train.defense", "trades"), Map.of()));
    assertTrue(defense.getMessage().contains("train.defense"), defense.getMessage());
  }
}
