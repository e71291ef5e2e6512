package io.advrank.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.advrank.proto.v1.ModelVersion;
import io.advrank.runtime.topic.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSigningTest {
  private static final KeyPair ALICE = ModelKeys.generate();
  private static final KeyPair MALLORY = ModelKeys.generate();
  private static final ModelTrust TRUST_ALICE = ModelTrust.of(Map.of("alice", ALICE.getPublic()));

  private static AssembledModel model(String version, long createdAt) {
    byte[] w = new byte[2500];
    new Random(createdAt).nextBytes(w);
    return AssembledModel.of(version, "", "{\"version\":\"" + version + "\"}", createdAt, w);
  }

  private static List<ModelVersion> signed(AssembledModel m, KeyPair key) {
    return ModelChunks.split(m, new ModelSigner(key.getPrivate()).sign(m), 1000);
  }

  private static List<ModelAssembler.Event> feedAll(ModelAssembler a, List<ModelVersion> chunks) {
    List<ModelAssembler.Event> out = new ArrayList<>();
    for (ModelVersion c : chunks) {
      out.addAll(a.feed(Topics.modelChunkKey(c.getVersion(), c.getChunkIndex()), c));
    }
    return out;
  }

  private static ModelAssembler.Refused refusedBy(ModelTrust trust, List<ModelVersion> chunks) {
    List<ModelAssembler.Event> events = feedAll(new ModelAssembler(trust), chunks);
    assertEquals(1, events.size(), events.toString());
    return assertInstanceOf(ModelAssembler.Refused.class, events.get(0));
  }

  @Test
  void acceptsAVersionSignedByATrustedKeyAndNamesTheSigner() {
    List<ModelAssembler.Event> events =
        feedAll(new ModelAssembler(TRUST_ALICE), signed(model("v1", 10), ALICE));
    AssembledModel back = assertInstanceOf(ModelAssembler.Complete.class, events.get(0)).model();
    assertEquals("alice", back.signer());
  }

  @Test
  void refusesTamperedWeightsEvenWhenTheAnnouncedShaWasUpdated() {
    List<ModelVersion> chunks = new ArrayList<>(signed(model("v1", 10), ALICE));
    byte[] all = new byte[2500];
    for (ModelVersion c : chunks) {
      c.getWeights().copyTo(all, c.getChunkIndex() * 1000);
    }
    all[1500] ^= 1;
    String forgedSha = ModelChunks.sha256(all);
    for (int i = 0; i < chunks.size(); i++) {
      ModelVersion.Builder b = chunks.get(i).toBuilder().setSha256(forgedSha);
      if (i == 1) {
        b.setWeights(ByteString.copyFrom(all, 1000, 1000));
      }
      chunks.set(i, b.build());
    }
    ModelAssembler.Refused r = refusedBy(TRUST_ALICE, chunks);
    assertEquals(Refusal.SIGNATURE, r.refusal());
    assertTrue(r.detail().contains("changed after signing"), r.detail());
  }

  @Test
  void refusesTamperedWeightsWithTheOldSha() {
    List<ModelVersion> chunks = new ArrayList<>(signed(model("v1", 10), ALICE));
    byte[] w = chunks.get(2).getWeights().toByteArray();
    w[0] ^= 1;
    chunks.set(2, chunks.get(2).toBuilder().setWeights(ByteString.copyFrom(w)).build());
    assertEquals(Refusal.SIGNATURE, refusedBy(TRUST_ALICE, chunks).refusal());
  }

  @Test
  void refusesATamperedManifest() {
    List<ModelVersion> chunks = new ArrayList<>(signed(model("v1", 10), ALICE));
    for (int i = 0; i < chunks.size(); i++) {
      String json = chunks.get(i).getManifestJson().replace("}", ",\"thresholds\":{\"x\":9}}");
      chunks.set(i, chunks.get(i).toBuilder().setManifestJson(json).build());
    }
    assertEquals(Refusal.SIGNATURE, refusedBy(TRUST_ALICE, chunks).refusal());
  }

  @Test
  void refusesAVersionWhoseIdentityChanged() {
    List<ModelVersion> chunks = new ArrayList<>(signed(model("v1", 10), ALICE));
    chunks.replaceAll(c -> c.toBuilder().setCreatedAtMs(99).build());
    assertEquals(Refusal.SIGNATURE, refusedBy(TRUST_ALICE, chunks).refusal());
  }

  @Test
  void refusesAValidVersionSignedByAnUnknownKey() {
    ModelAssembler.Refused r = refusedBy(TRUST_ALICE, signed(model("v1", 10), MALLORY));
    assertEquals(Refusal.SIGNATURE, r.refusal());
    assertTrue(r.detail().contains("not trusted"), r.detail());
    assertTrue(r.detail().contains(ModelKeys.fingerprint(MALLORY.getPublic())), r.detail());
  }

  @Test
  void refusesAnUnsignedVersionOnceKeysAreTrustedAndNeverActivatesIt() {
    ModelAssembler a = new ModelAssembler(TRUST_ALICE);
    List<ModelAssembler.Event> events = feedAll(a, ModelChunks.split(model("v1", 10), 1000));
    ModelAssembler.Refused r = assertInstanceOf(ModelAssembler.Refused.class, events.get(0));
    assertEquals(Refusal.SIGNATURE, r.refusal());
    assertTrue(r.detail().startsWith("unsigned"), r.detail());
    assertTrue(a.get("v1").isEmpty());
    ModelSignature byAlice = new ModelSigner(ALICE.getPrivate()).signActivation("v1", 20);
    ModelAssembler.Event rollback =
        a.feed(Topics.MODEL_ACTIVE_KEY, ModelChunks.activation("v1", 20, byAlice)).get(0);
    assertEquals(Refusal.UNKNOWN_VERSION, ((ModelAssembler.Refused) rollback).refusal());
  }

  @Test
  void rollbacksMustBeSignedByATrustedKeyToo() {
    ModelAssembler a = new ModelAssembler(TRUST_ALICE);
    feedAll(a, signed(model("v1", 10), ALICE));
    feedAll(a, signed(model("v2", 20), ALICE));
    ModelSigner alice = new ModelSigner(ALICE.getPrivate());
    ModelSigner mallory = new ModelSigner(MALLORY.getPrivate());
    ModelVersion unsigned = ModelChunks.activation("v1", 30);
    ModelVersion byMallory = ModelChunks.activation("v1", 30, mallory.signActivation("v1", 30));
    ModelVersion replayedTime = ModelChunks.activation("v1", 31, alice.signActivation("v1", 30));
    for (ModelVersion bad : List.of(unsigned, byMallory, replayedTime)) {
      ModelAssembler.Event e = a.feed(Topics.MODEL_ACTIVE_KEY, bad).get(0);
      assertEquals(Refusal.SIGNATURE, assertInstanceOf(ModelAssembler.Refused.class, e).refusal());
    }
    ModelVersion good = ModelChunks.activation("v1", 30, alice.signActivation("v1", 30));
    ModelAssembler.Event e = a.feed(Topics.MODEL_ACTIVE_KEY, good).get(0);
    assertEquals("v1", assertInstanceOf(ModelAssembler.Activate.class, e).model().version());
  }

  @Test
  void withoutTrustedKeysAcceptsEverythingAndSaysItDidNotCheck() {
    ModelAssembler a = new ModelAssembler();
    AssembledModel plain =
        ((ModelAssembler.Complete) feedAll(a, ModelChunks.split(model("v1", 10), 1000)).get(0))
            .model();
    assertEquals("unsigned", plain.signer());
    AssembledModel bySomeone =
        ((ModelAssembler.Complete) feedAll(a, signed(model("v2", 20), MALLORY)).get(0)).model();
    assertTrue(bySomeone.signer().startsWith("not checked (key "), bySomeone.signer());
  }

  @Test
  void keysRoundTripThroughPemFilesAndSettings(@TempDir Path dir) throws Exception {
    Path key = ModelKeys.write(ALICE, dir, "alice");
    assertEquals(ALICE.getPublic(), ModelKeys.publicOf(ALICE.getPrivate()));
    ModelSigner fromFile = ModelSigner.fromSetting("models.signing-key", key.toString());
    ModelSigner fromText = ModelSigner.fromSetting("models.signing-key", Files.readString(key));
    assertEquals(ModelKeys.fingerprint(ALICE.getPublic()), fromFile.keyId());
    assertEquals(fromFile.keyId(), fromText.keyId());
    ModelTrust trust = ModelTrust.load("models.trusted-keys", List.of(dir));
    assertEquals(List.of("alice"), trust.names());
    AssembledModel m = model("v1", 10);
    ModelVersion chunk = ModelChunks.split(m, fromText.sign(m), 1 << 20).get(0);
    assertEquals("alice", trust.check(chunk, m.sha256()).signer());
    assertThrows(IllegalArgumentException.class, () -> ModelKeys.write(ALICE, dir, "alice"));
  }

  @Test
  void badKeySettingsNameTheSettingAndNeverEchoTheKey(@TempDir Path dir) throws Exception {
    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ModelSigner.fromSetting("models.signing-key", dir.resolve("nope.key").toString()));
    assertTrue(missing.getMessage().startsWith("setting 'models.signing-key'"));
    String publicPem = ModelKeys.pem("PUBLIC KEY", ALICE.getPublic().getEncoded());
    IllegalArgumentException wrongKind =
        assertThrows(
            IllegalArgumentException.class,
            () -> ModelSigner.fromSetting("models.signing-key", publicPem));
    assertFalse(wrongKind.getMessage().contains(publicPem.substring(30, 60)));
    IllegalArgumentException empty =
        assertThrows(
            IllegalArgumentException.class,
            () -> ModelTrust.load("models.trusted-keys", List.of(dir)));
    assertTrue(empty.getMessage().contains("no *.pub"), empty.getMessage());
  }
}
