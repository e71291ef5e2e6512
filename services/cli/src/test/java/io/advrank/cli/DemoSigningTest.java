package io.advrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.defensetrainer.DefenseTrainerSettings;
import io.advrank.proto.v1.ModelVersion;
import io.advrank.ranker.RankerSettings;
import io.advrank.runtime.model.AssembledModel;
import io.advrank.runtime.model.ModelChunks;
import io.advrank.runtime.model.ModelSigner;
import io.advrank.runtime.model.ModelTrust;
import io.advrank.runtime.settings.SettingsSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo signs with a key of its own unless the user configured signing. */
class DemoSigningTest {
  @Test
  void theTrainerSignsWhatTheRankerTrustsAndTheKeysAreDeletedOnClose() throws Exception {
    Map<String, String> rankerFlags = new HashMap<>();
    Map<String, String> trainerFlags = new HashMap<>();
    Path pub;
    try (DemoSigning signing = DemoSigning.create(Map.of())) {
      signing.trust(rankerFlags);
      signing.sign(trainerFlags);
      pub = Path.of(rankerFlags.get("models.trusted-keys"));
      ModelTrust trust =
          RankerSettings.from(SettingsSource.load(RankerSettings.KEYS, rankerFlags, Map.of(), null))
              .modelTrust();
      DefenseTrainerSettings trainer =
          DefenseTrainerSettings.from(
              SettingsSource.load(DefenseTrainerSettings.KEYS, trainerFlags, Map.of(), null));
      ModelSigner signer = trainer.signing().signer().orElseThrow();
      assertEquals(trust.names(), trainer.signing().trust().names());

      AssembledModel m = AssembledModel.of("v1", "", "{}", 1, new byte[] {1, 2, 3});
      ModelVersion chunk = ModelChunks.split(m, signer.sign(m)).get(0);
      ModelTrust.Verdict verdict = trust.check(chunk, m.sha256());
      assertTrue(verdict.accepted(), verdict.problem());
      assertEquals(DemoSigning.KEY_NAME, verdict.signer());
    }
    assertFalse(Files.exists(pub.getParent()), "temporary keys removed");
  }

  @Test
  void leavesTheUsersOwnSigningSettingsAlone() throws Exception {
    Map<String, String> flags = new HashMap<>();
    try (DemoSigning signing =
        DemoSigning.create(Map.of("ADVRANK_MODELS_TRUSTED_KEYS", "/etc/advrank/keys"))) {
      signing.sign(flags);
    }
    assertTrue(flags.isEmpty(), flags.toString());
  }
}
