package io.advrank.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.proto.v1.AdversarialVariant;
import io.advrank.proto.v1.AnomalyAlert;
import io.advrank.proto.v1.AttackSpec;
import io.advrank.proto.v1.AttackType;
import io.advrank.proto.v1.Hit;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ModelVersion;
import io.advrank.proto.v1.RankShift;
import io.advrank.proto.v1.RankingResult;
import io.advrank.proto.v1.Source;
import io.advrank.proto.v1.SubjectKind;
import io.advrank.runtime.model.AssembledModel;
import io.advrank.runtime.model.ModelChunks;
import io.advrank.runtime.model.ModelKeys;
import io.advrank.runtime.model.ModelSigner;
import io.advrank.runtime.model.ModelTrust;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.PixelCodec;
import java.security.KeyPair;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsoleViewTest {
  private final ConsoleView view = new ConsoleView();

  @Test
  void joinsAnAttackWithItsRankShiftAndItsOriginalPhoto() {
    view.catalog("item-1", event("e1", "item-1", 7), false);
    view.adversarial("item-1", variant("e1", "item-1", AttackType.ATTACK_TYPE_CA_PLUS));
    view.rankShift(shift("e1", AttackType.ATTACK_TYPE_CA_PLUS, 60, 10, 1_000));
    Map<String, Object> a = attacks().get(0);
    assertEquals("CA+", a.get("type"));
    assertEquals(60.0, a.get("rank_before"));
    assertEquals(10.0, a.get("rank_after"));
    assertEquals("/img/attack/perturbation?event=e1", a.get("perturbation_img"));
  }

  @Test
  void showsNoOriginalOnceTheSubjectsPhotoWasReplaced() {
    view.catalog("item-1", event("e1", "item-1", 7), false);
    view.adversarial("item-1", variant("e1", "item-1", AttackType.ATTACK_TYPE_CA_MINUS));
    view.catalog("item-1", event("e2", "item-1", 7), false);
    Map<String, Object> a = attacks().get(0);
    assertNull(a.get("original_img"));
    assertNull(a.get("perturbation_img"));
    assertNotNull(a.get("adversarial_img"));
  }

  @Test
  void marksAlertsWhoseSubjectTheGroundTruthSaysWasAttacked() {
    view.adversarial("q-1", variant("e1", "q-1", AttackType.ATTACK_TYPE_SP_QA_PLUS));
    view.alert(alert("a1", "q-1"));
    view.alert(alert("a2", "q-2"));
    Map<String, String> truth = new java.util.HashMap<>();
    for (Map<String, Object> a : list("alerts")) {
      truth.put((String) a.get("subject_id"), (String) a.get("ground_truth"));
    }
    assertEquals("SP-QA+", truth.get("q-1"));
    assertNull(truth.get("q-2"));
  }

  @Test
  void pairsAHijackedRankingWithTheCleanRankingOfTheSamePhoto() {
    view.query("q-1", event("e1", "q-1", 42), false); // photo #42, hijacked
    view.query("q-2", event("e2", "q-2", 42), false); // the same photo, benign
    view.query("q-3", event("e3", "q-3", 43), false); // another photo
    view.adversarial("q-1", variant("e1", "q-1", AttackType.ATTACK_TYPE_SP_QA_MINUS));
    view.ranking(ranking("e2", "q-2", "clean-hit"));
    view.ranking(ranking("e3", "q-3", "other-hit"));
    view.ranking(ranking("e1", "q-1", "delivered-hit"));
    Map<String, Object> h = list("hijacks").get(0);
    assertEquals("q-1", h.get("query_id"));
    assertEquals("delivered-hit", firstHit(h.get("delivered")));
    assertEquals("clean-hit", firstHit(h.get("clean")));
  }

  @Test
  void averagesRankShiftsPerAttackTypeAndTenSecondBucket() {
    view.rankShift(shift("e1", AttackType.ATTACK_TYPE_CA_PLUS, 60, 10, 20_001));
    view.rankShift(shift("e2", AttackType.ATTACK_TYPE_CA_PLUS, 40, 20, 29_999));
    view.rankShift(shift("e3", AttackType.ATTACK_TYPE_CA_PLUS, 50, 50, 30_000));
    @SuppressWarnings("unchecked")
    Map<String, List<Map<String, Object>>> drift =
        (Map<String, List<Map<String, Object>>>) view.snapshot(0).get("drift");
    List<Map<String, Object>> caPlus = drift.get("CA+");
    assertEquals(2, caPlus.size());
    assertEquals(20_000L, caPlus.get(0).get("t_ms"));
    assertEquals(2L, caPlus.get(0).get("n"));
    assertEquals(50.0, caPlus.get(0).get("before"));
    assertEquals(15.0, caPlus.get(0).get("after"));
  }

  @Test
  void listsTheVersionsTheRankerAnsweredWithEvenIfNeverPublished() {
    view.ranking(
        ranking("e1", "q-1", "hit").toBuilder().setModelVersion("v1").setRankedAtMs(5).build());
    view.ranking(
        ranking("e2", "q-2", "hit").toBuilder().setModelVersion("v1").setRankedAtMs(9).build());
    List<Map<String, Object>> inUse = list("versions_in_use");
    assertEquals(1, inUse.size());
    assertEquals("v1", inUse.get(0).get("version"));
    assertEquals(5L, inUse.get(0).get("first_seen_ms"));
    assertEquals(false, inUse.get(0).get("published"));
  }

  @Test
  void listsAsServableOnlyVersionsTheModelFeedsWouldServeAndTheOthersAsRefusedWithTheReason() {
    KeyPair trustedPair = ModelKeys.generate();
    ModelSigner trusted = new ModelSigner(trustedPair.getPrivate());
    ModelSigner unknown = new ModelSigner(ModelKeys.generate().getPrivate());
    ConsoleView signed = new ConsoleView(ModelTrust.of(Map.of("release", trustedPair.getPublic())));
    AssembledModel v1 = model("v1", 1_000);
    publish(signed, ModelChunks.split(v1, trusted.sign(v1)));
    AssembledModel v2 = model("v2", 2_000);
    publish(signed, ModelChunks.split(v2)); // unsigned
    AssembledModel v3 = model("v3", 3_000);
    publish(signed, ModelChunks.split(v3, unknown.sign(v3)));
    AssembledModel v4 = model("v4", 4_000);
    List<ModelVersion> v4Chunks = ModelChunks.split(v4, trusted.sign(v4));
    publish(signed, List.of(v4Chunks.get(0).toBuilder().setManifestJson("{\"r_at_1\":1}").build()));
    // A rollback to a version nobody could serve.
    signed.modelVersion(
        Topics.MODEL_ACTIVE_KEY,
        ModelChunks.activation("v2", 5_000, trusted.signActivation("v2", 5_000)));

    Map<String, Map<String, Object>> byVersion = versionsOf(signed);
    assertEquals("servable", byVersion.get("v1").get("status"));
    assertEquals(true, byVersion.get("v1").get("active"));
    for (String v : List.of("v2", "v3", "v4")) {
      assertEquals("refused", byVersion.get(v).get("status"), v);
      assertEquals("signature", byVersion.get(v).get("reason"), v);
      assertEquals(false, byVersion.get(v).get("active"), v);
    }
    assertTrue(((String) byVersion.get("v2").get("detail")).startsWith("unsigned"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> refusals =
        (List<Map<String, Object>>) signed.snapshot(0).get("model_refusals");
    assertEquals(true, refusals.get(0).get("activation"));
    assertEquals("unknown_version", refusals.get(0).get("reason"));
  }

  @Test
  void withoutTrustedKeysStillRefusesAVersionWhoseWeightsDoNotMatchTheirSha256() {
    AssembledModel v1 = model("v1", 1_000);
    publish(view, ModelChunks.split(v1));
    AssembledModel v2 = model("v2", 2_000);
    publish(
        view, List.of(ModelChunks.split(v2).get(0).toBuilder().setSha256("0".repeat(64)).build()));
    Map<String, Map<String, Object>> byVersion = versionsOf(view);
    assertEquals("servable", byVersion.get("v1").get("status"));
    assertEquals(true, byVersion.get("v1").get("active"));
    assertEquals("refused", byVersion.get("v2").get("status"));
    assertEquals("tampered", byVersion.get("v2").get("reason"));
  }

  private static AssembledModel model(String version, long createdAtMs) {
    byte[] weights = new byte[32];
    weights[0] = (byte) createdAtMs;
    return AssembledModel.of(version, "", "{\"r_at_1\":0.8}", createdAtMs, weights);
  }

  private static void publish(ConsoleView view, List<ModelVersion> chunks) {
    for (ModelVersion c : chunks) {
      view.modelVersion(Topics.modelChunkKey(c.getVersion(), c.getChunkIndex()), c);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> versionsOf(ConsoleView view) {
    Map<String, Map<String, Object>> out = new HashMap<>();
    for (Object v : (List<Object>) view.snapshot(0).get("versions")) {
      Map<String, Object> m = (Map<String, Object>) v;
      out.put((String) m.get("version"), m);
    }
    return out;
  }

  @Test
  void recentForgetsTheOldestBeyondItsCapacity() {
    Recent<String, Integer> recent = new Recent<>(2);
    recent.put("a", 1);
    recent.put("b", 2);
    recent.put("a", 3); // rewritten: now the newest
    recent.put("c", 4);
    assertEquals(List.of(4, 3), recent.newest(10));
    assertNull(recent.get("b"));
  }

  @Test
  void recentForgetsTheOldestBeyondItsByteBudgetButKeepsTheNewest() {
    Recent<String, byte[]> recent = new Recent<>(100, 10, b -> b.length);
    recent.put("a", new byte[4]);
    recent.put("b", new byte[4]);
    recent.put("c", new byte[4]); // 12 bytes: "a" goes
    assertNull(recent.get("a"));
    assertEquals(2, recent.size());
    recent.put("d", new byte[50]); // over the budget alone: kept, everything older goes
    assertEquals(1, recent.size());
    assertNotNull(recent.get("d"));
  }

  private List<Map<String, Object>> attacks() {
    return list("attacks");
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> list(String key) {
    return (List<Map<String, Object>>) view.snapshot(0).get(key);
  }

  @SuppressWarnings("unchecked")
  private static String firstHit(Object ranking) {
    var hits = (List<Map<String, Object>>) ((Map<String, Object>) ranking).get("hits");
    return (String) hits.get(0).get("item_id");
  }

  private static ImageEvent event(String eventId, String id, int photo) {
    return ImageEvent.newBuilder()
        .setEventId(eventId)
        .setItemId(id)
        .setPixels(PixelCodec.fromUint8(1, 2, 2, new byte[4]))
        .setSource(Source.newBuilder().setDataset("fmnist").setSplit("test").setIndex(photo))
        .build();
  }

  private static AdversarialVariant variant(String eventId, String subject, AttackType type) {
    return AdversarialVariant.newBuilder()
        .setOriginalEventId(eventId)
        .setItemId(subject)
        .setSpec(AttackSpec.newBuilder().setType(type).setEpsilon(0.1f))
        .setPerturbed(PixelCodec.fromUint8(1, 2, 2, new byte[] {1, 2, 3, 4}))
        .build();
  }

  private static RankShift shift(
      String eventId, AttackType type, double before, double after, long atMs) {
    return RankShift.newBuilder()
        .setOriginalEventId(eventId)
        .setAttackType(type)
        .setRankPercentileBefore(before)
        .setRankPercentileAfter(after)
        .setMeasuredAtMs(atMs)
        .build();
  }

  private static AnomalyAlert alert(String id, String subject) {
    return AnomalyAlert.newBuilder()
        .setAlertId(id)
        .setSubjectKind(SubjectKind.SUBJECT_KIND_QUERY)
        .setSubjectId(subject)
        .setSignal("query_hijack")
        .build();
  }

  private static RankingResult ranking(String eventId, String queryId, String hit) {
    return RankingResult.newBuilder()
        .setQueryEventId(eventId)
        .setQueryId(queryId)
        .addHits(Hit.newBuilder().setItemId(hit))
        .build();
  }
}
