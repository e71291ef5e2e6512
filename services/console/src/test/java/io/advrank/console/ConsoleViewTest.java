package io.advrank.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.advrank.proto.v1.AdversarialVariant;
import io.advrank.proto.v1.AnomalyAlert;
import io.advrank.proto.v1.AttackSpec;
import io.advrank.proto.v1.AttackType;
import io.advrank.proto.v1.Hit;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.RankShift;
import io.advrank.proto.v1.RankingResult;
import io.advrank.proto.v1.Source;
import io.advrank.proto.v1.SubjectKind;
import io.advrank.runtime.wire.PixelCodec;
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
