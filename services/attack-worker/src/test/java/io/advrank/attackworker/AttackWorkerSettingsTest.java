package io.advrank.attackworker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.runtime.settings.SettingsException;
import io.advrank.runtime.settings.SettingsSource;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AttackWorkerSettingsTest {

  @Test
  void defaultsForALocalDemo() throws Exception {
    AttackWorkerSettings s = parse(new String[0], Map.of());
    assertTrue(s.campaign().attacks().isEmpty());
    assertEquals(32, s.batchMax());
    assertEquals(Duration.ZERO, s.batchWait());
    assertEquals("advrank-attack-worker-0", s.transactionalId());
    assertEquals("auto", s.device().toString());
  }

  @Test
  void flagsAndEnvironmentSetTheCampaign() throws Exception {
    AttackWorkerSettings s =
        parse(
            new String[] {"--campaign", "CA- eps=0.03 w=3 fraction=0.1", "--device=cpu"},
            Map.of("ADVRANK_CAMPAIGN_SEED", "9", "ADVRANK_BATCH_MAX", "8"));
    assertEquals(3, s.campaign().attacks().get(0).size());
    assertEquals(9, s.campaign().seed());
    assertEquals(8, s.batchMax());
  }

  @Test
  void unknownKeysAndBadCampaignsFailAtStartUp() {
    SettingsException unknown =
        assertThrows(
            SettingsException.class, () -> parse(new String[] {"--campain=CA+"}, Map.of()));
    assertTrue(unknown.getMessage().contains("campain"), unknown.getMessage());
    SettingsException bad =
        assertThrows(
            SettingsException.class,
            () -> parse(new String[] {"--campaign=CA+ eps=0.1 fraction=0.1 mode=x"}, Map.of()));
    assertTrue(bad.getMessage().contains("unknown key 'mode'"), bad.getMessage());
    assertThrows(SettingsException.class, () -> parse(new String[] {"--batch.max=0"}, Map.of()));
  }

  @Test
  void badArgumentsExitWithCodeTwo() throws Exception {
    assertEquals(2, AttackWorkerMain.run(new String[] {"--device=tpu"}, Map.of()));
  }

  @Test
  void refusesToStartWithoutAnAllowListOrAStagingClusterId() {
    SettingsException noList =
        assertThrows(
            SettingsException.class,
            () -> parseUnfenced(Map.of("ADVRANK_STAGING_CLUSTER_ID", "abc")));
    assertTrue(
        noList.getMessage().startsWith("setting 'write.allowed-topics' is required"),
        noList.getMessage());
    SettingsException noId =
        assertThrows(
            SettingsException.class,
            () ->
                parseUnfenced(
                    Map.of("ADVRANK_WRITE_ALLOWED_TOPICS", String.join(",", StagingFence.WRITES))));
    assertTrue(
        noId.getMessage().startsWith("setting 'staging.cluster.id' is required"),
        noId.getMessage());
  }

  @Test
  void anAllowListMissingATopicItWritesNamesThatTopic() {
    SettingsException e =
        assertThrows(
            SettingsException.class,
            () ->
                parseUnfenced(
                    Map.of(
                        "ADVRANK_STAGING_CLUSTER_ID", "abc",
                        "ADVRANK_WRITE_ALLOWED_TOPICS",
                            "advrank.catalog.delivered,advrank.queries.delivered,advrank.dead-letter")));
    assertTrue(
        e.getMessage().endsWith("missing: advrank.adversarial,advrank.rank-shifts"),
        e.getMessage());
  }

  private static AttackWorkerSettings parse(String[] args, Map<String, String> env) {
    Map<String, String> fenced = new HashMap<>();
    StagingFence.settingsFor("test-cluster")
        .forEach((key, value) -> fenced.put(SettingsSource.envName(key), value));
    fenced.putAll(env);
    return AttackWorkerSettings.from(
        SettingsSource.fromArgs(AttackWorkerSettings.KEYS, args, fenced));
  }

  private static AttackWorkerSettings parseUnfenced(Map<String, String> env) {
    return AttackWorkerSettings.from(
        SettingsSource.fromArgs(AttackWorkerSettings.KEYS, new String[0], env));
  }
}
