package io.advrank.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import io.advrank.proto.v1.AdversarialVariant;
import io.advrank.proto.v1.AnomalyAlert;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ModelDecision;
import io.advrank.proto.v1.ModelVersion;
import io.advrank.proto.v1.RankShift;
import io.advrank.proto.v1.RankingResult;
import io.advrank.runtime.kafka.DeadLetters.Reason;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.RejectedRecordException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the console's feed refuses, record by record (the dead letters are in ConsoleFeedIT). */
class ConsoleFeedTest {
  private final ConsoleView view = new ConsoleView();

  @Test
  void refusesATombstoneOnEveryEventTopicButDeletesOnTheCatalogAndIgnoresOneOnModels()
      throws Exception {
    for (String topic :
        List.of(
            Topics.QUERIES.name(),
            Topics.ADVERSARIAL.name(),
            Topics.RANK_SHIFTS.name(),
            Topics.RANKINGS.name(),
            Topics.ALERTS.name(),
            Topics.MODEL_DECISIONS.name())) {
      assertEquals(Reason.INVALID, refusal(topic, "k", (byte[]) null), topic);
    }
    ConsoleFeed.dispatch(view, Topics.CATALOG.name(), "item-1", null);
    ConsoleFeed.dispatch(view, Topics.MODELS.name(), "v1/0", null);
  }

  @Test
  void refusesARecordWithoutTheIdTheViewKeepsItBy() {
    assertEquals(
        Reason.INVALID, refusal(Topics.ALERTS.name(), "q-1", AnomalyAlert.getDefaultInstance()));
    assertEquals(
        Reason.INVALID,
        refusal(
            Topics.RANK_SHIFTS.name(),
            "q-1",
            RankShift.newBuilder().setSubjectId("q-1").build().toByteArray()));
    assertEquals(
        Reason.INVALID,
        refusal(
            Topics.RANKINGS.name(),
            "q-1",
            RankingResult.newBuilder().setQueryEventId("e-1").build().toByteArray()));
    assertEquals(
        Reason.INVALID,
        refusal(
            Topics.ADVERSARIAL.name(),
            "q-1",
            AdversarialVariant.newBuilder().setItemId("q-1").build().toByteArray()));
    assertEquals(
        Reason.INVALID,
        refusal(
            Topics.ADVERSARIAL.name(),
            null,
            AdversarialVariant.newBuilder().setOriginalEventId("e-1").build().toByteArray()));
    assertEquals(
        Reason.INVALID,
        refusal(
            Topics.QUERIES.name(),
            null,
            ImageEvent.newBuilder().setEventId("e-1").build().toByteArray()));
    assertEquals(
        Reason.INVALID,
        refusal(Topics.MODELS.name(), "v/0", ModelVersion.newBuilder().setChunkCount(1).build()));
  }

  @Test
  void showsWhatCarriesItsIds() throws Exception {
    ConsoleFeed.dispatch(
        view,
        Topics.ALERTS.name(),
        "q-1",
        AnomalyAlert.newBuilder().setAlertId("a-1").setSubjectId("q-1").build().toByteArray());
    ConsoleFeed.dispatch(
        view,
        Topics.RANK_SHIFTS.name(),
        "q-1",
        RankShift.newBuilder().setOriginalEventId("e-1").build().toByteArray());
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> alerts = (List<Map<String, Object>>) view.snapshot(0).get("alerts");
    assertEquals(1, alerts.size());
  }

  @Test
  void refusesADecisionNotKeyedByItsCandidateOrWithoutItsTimeAndShowsAValidOne() throws Exception {
    ModelDecision valid =
        ModelDecision.newBuilder()
            .setCandidateVersion("v2")
            .setParentVersion("v1")
            .setDecidedAtMs(1_000)
            .build();
    String topic = Topics.MODEL_DECISIONS.name();
    assertEquals(Reason.INVALID, refusal(topic, null, valid));
    assertEquals(Reason.INVALID, refusal(topic, "v3", valid));
    assertEquals(
        Reason.INVALID, refusal(topic, "v2", valid.toBuilder().clearDecidedAtMs().build()));
    // A rank shift on this topic parses (its fields 4 and 9 have another wire type and are
    // skipped) as a decision for its subject id, with no decision time.
    RankShift shift =
        RankShift.newBuilder()
            .setSubjectId("v2")
            .setOriginalEventId("e-1")
            .setEpsilon(0.03f)
            .setModelVersion("v1")
            .setMeasuredAtMs(1_000)
            .build();
    assertEquals(Reason.INVALID, refusal(topic, "v2", shift));
    ConsoleFeed.dispatch(view, topic, "v2", valid.toByteArray());
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> decisions =
        (List<Map<String, Object>>) view.snapshot(0).get("decisions");
    assertEquals(1, decisions.size());
    assertEquals("v2", decisions.get(0).get("candidate"));
  }

  @Test
  void leavesBytesThatDoNotParseToTheCallerAsMalformed() {
    assertThrows(
        InvalidProtocolBufferException.class,
        () -> ConsoleFeed.dispatch(view, Topics.ALERTS.name(), "k", new byte[] {(byte) 0xff}));
  }

  private Reason refusal(String topic, String key, com.google.protobuf.Message value) {
    return refusal(topic, key, value.toByteArray());
  }

  private Reason refusal(String topic, String key, byte[] value) {
    RejectedRecordException e =
        assertThrows(
            RejectedRecordException.class,
            () -> ConsoleFeed.dispatch(view, topic, key, value),
            topic);
    assertTrue(e.getMessage().length() > 0);
    return e.reason();
  }
}
