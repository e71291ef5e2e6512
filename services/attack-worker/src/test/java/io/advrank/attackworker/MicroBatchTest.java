package io.advrank.attackworker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.attackworker.MicroBatch.DeadLetter;
import io.advrank.attackworker.MicroBatch.Output;
import io.advrank.attackworker.MicroBatch.Send;
import io.advrank.core.attack.AttackResult;
import io.advrank.core.model.ModelSpec;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ImageKind;
import io.advrank.proto.v1.RankShift;
import io.advrank.runtime.kafka.DeadLetters.Reason;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.PixelCodec;
import io.advrank.runtime.wire.RejectedRecordException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The transactional lane's decisions without a broker, a model or PGD: records in, what to send
 * out. (PGD itself: AttackWorkerIT.)
 */
class MicroBatchTest {
  private static final ModelSpec SPEC = ModelSpec.c2f1(1, 28, 28);
  private static final Campaign ATTACK_ALL_UPLOADS =
      Campaign.parse("CA+ eps=0.1 w=1 fraction=1", 0);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final InboundEvents inbound = new InboundEvents(SPEC, 8192);

  private MicroBatch batch(Campaign campaign) {
    Clock clock = Clock.systemUTC();
    return new MicroBatch(
        inbound,
        campaign,
        new BatchAttacks(campaign, clock),
        new OutputRecords(() -> "v1", campaign, SPEC),
        new AttackWorkerMetrics(registry, () -> "v1"),
        clock);
  }

  @Test
  void forwardsBenignEventsAndCatalogDeletesAndDeadLettersTheRestWithTheirReasons() {
    ConsumerRecord<byte[], byte[]> query = record(Topics.QUERIES.name(), "q-1", event("q-1"));
    ConsumerRecord<byte[], byte[]> garbage =
        record(Topics.QUERIES.name(), "q-2", new byte[] {(byte) 0xff, 1, 2});
    ConsumerRecord<byte[], byte[]> delete = record(Topics.CATALOG.name(), "item-9", null);
    ConsumerRecord<byte[], byte[]> queryTombstone = record(Topics.QUERIES.name(), "q-3", null);

    MicroBatch.Routed routed =
        batch(Campaign.none()).route(List.of(query, garbage, delete, queryTombstone));

    List<Send> sent = routed.sends();
    assertEquals(4, sent.size(), sent.toString());
    ProducerRecord<byte[], byte[]> forward = output(sent.get(0));
    assertEquals(Topics.QUERIES_DELIVERED.name(), forward.topic());
    assertArrayEquals(query.key(), forward.key());
    assertArrayEquals(query.value(), forward.value());
    assertDeadLetter(sent.get(1), garbage, Reason.MALFORMED);
    assertEquals(Topics.CATALOG_DELIVERED.name(), output(sent.get(2)).topic());
    assertArrayEquals(delete.key(), output(sent.get(2)).key());
    assertNull(output(sent.get(2)).value());
    assertDeadLetter(sent.get(3), queryTombstone, Reason.INVALID);
    assertTrue(routed.chosen().isEmpty(), "nothing was chosen: PGD must not run");

    // Metrics count only once the caller's transaction committed.
    assertEquals(0, count("advrank.events.forwarded"));
    routed.tally().forEach(Runnable::run);
    assertEquals(2, count("advrank.events.forwarded"));
  }

  @Test
  void sendsOnlyWhatTheCampaignLeavesAloneDownTheBenignLane() {
    MicroBatch batch = batch(ATTACK_ALL_UPLOADS);

    assertFalse(batch.forwardsAtOnce(record(Topics.CATALOG.name(), "i-1", event("i-1", true))));
    assertTrue(batch.forwardsAtOnce(record(Topics.QUERIES.name(), "q-1", event("q-1"))));
    assertTrue(batch.forwardsAtOnce(record(Topics.CATALOG.name(), "i-2", null)));
    assertFalse(batch.forwardsAtOnce(record(Topics.QUERIES.name(), "q-2", new byte[] {1, 2})));
    assertFalse(batch.forwardsAtOnce(record(Topics.QUERIES.name(), "q-3", null)));
  }

  @Test
  void choosesTheEventsToAttackInTheOrderRead() throws RejectedRecordException {
    List<ConsumerRecord<byte[], byte[]>> uploads =
        List.of(
            record(Topics.CATALOG.name(), "i-1", event("i-1", true)),
            record(Topics.QUERIES.name(), "q-1", event("q-1")),
            record(Topics.CATALOG.name(), "i-2", event("i-2", true)));

    MicroBatch.Routed routed = batch(ATTACK_ALL_UPLOADS).route(uploads);

    assertEquals(
        List.of("i-1", "i-2"),
        routed.chosen().keySet().stream().map(e -> e.event().getItemId()).toList());
    assertEquals(1, routed.sends().size(), "the query is forwarded, in the transaction");
  }

  @Test
  void anAttackedEventBecomesItsVariantGroundTruthAndRankShiftAndAFailedOneADeadLetter()
      throws RejectedRecordException {
    MicroBatch batch = batch(ATTACK_ALL_UPLOADS);
    InboundEvent attacked = inbound(record(Topics.CATALOG.name(), "i-1", event("i-1", true)));
    InboundEvent skipped = inbound(record(Topics.CATALOG.name(), "i-2", event("i-2", true)));
    InboundEvent failed = inbound(record(Topics.CATALOG.name(), "i-3", event("i-3", true)));
    CampaignAttack attack = ATTACK_ALL_UPLOADS.choose(true, "e-i-1", "i-1").orElseThrow();
    float[] perturbed = new float[784];
    Arrays.fill(perturbed, 3 / 255f);
    AttackResult result = new AttackResult(perturbed, 40.0, 5.0, 0.2, 3 / 255.0, true);
    RuntimeException boom = new IllegalStateException("PGD diverged");
    List<Runnable> tally = new ArrayList<>();

    List<Send> sent =
        batch.emit(
            List.of(
                new AttackOutcome(
                    attacked,
                    attack,
                    AttackOutcome.Status.ATTACKED,
                    result,
                    List.of("i-7"),
                    3,
                    1_500,
                    "",
                    null),
                AttackOutcome.skipped(skipped, attack, "gallery too small"),
                AttackOutcome.failed(failed, attack, boom)),
            tally);

    assertEquals(5, sent.size(), sent.toString());
    ProducerRecord<byte[], byte[]> delivered = output(sent.get(0));
    assertEquals(Topics.CATALOG_DELIVERED.name(), delivered.topic());
    assertNotNull(delivered.headers().lastHeader(OutputRecords.ADVERSARIAL));
    ProducerRecord<byte[], byte[]> truth = output(sent.get(1));
    assertEquals(Topics.ADVERSARIAL.name(), truth.topic());
    assertNotNull(truth.headers().lastHeader(OutputRecords.ADVERSARIAL));
    ProducerRecord<byte[], byte[]> shift = output(sent.get(2));
    assertEquals(Topics.RANK_SHIFTS.name(), shift.topic());
    RankShift decoded =
        Topics.RANK_SHIFTS
            .valueSerde()
            .deserializer()
            .deserialize(shift.topic(), shift.headers(), shift.value());
    assertEquals(40.0, decoded.getRankPercentileBefore(), 1e-6);
    assertEquals(5.0, decoded.getRankPercentileAfter(), 1e-6);
    assertEquals(List.of("i-7"), decoded.getTargetIdsList());
    assertArrayEquals(skipped.record().value(), output(sent.get(3)).value(), "skipped: unchanged");
    DeadLetter letter = (DeadLetter) sent.get(4);
    assertSame(failed.record(), letter.source());
    assertEquals(Reason.PROCESSING_FAILED, letter.reason());
    assertSame(boom, letter.cause());

    assertEquals(0, count("advrank.attacks"));
    tally.forEach(Runnable::run);
    assertEquals(3, count("advrank.attacks"));
    assertEquals(2, count("advrank.events.forwarded"), "the variant and the skipped event");
    assertEquals(1, registry.find("advrank.attack.batch.size").summary().count(), "one PGD run");
  }

  private InboundEvent inbound(ConsumerRecord<byte[], byte[]> r) throws RejectedRecordException {
    return inbound.read(r, 0);
  }

  private double count(String counter) {
    return registry.find(counter).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  private static ProducerRecord<byte[], byte[]> output(Send send) {
    return ((Output) send).record();
  }

  private static void assertDeadLetter(
      Send send, ConsumerRecord<byte[], byte[]> source, Reason reason) {
    DeadLetter letter = (DeadLetter) send;
    assertSame(source, letter.source());
    assertEquals(reason, letter.reason());
  }

  private static byte[] event(String id) {
    return event(id, false);
  }

  private static byte[] event(String id, boolean catalog) {
    return ImageEvent.newBuilder()
        .setEventId("e-" + id)
        .setKind(catalog ? ImageKind.IMAGE_KIND_CATALOG_ITEM : ImageKind.IMAGE_KIND_QUERY)
        .setItemId(id)
        .setPixels(PixelCodec.fromUint8(1, 28, 28, new byte[784]))
        .build()
        .toByteArray();
  }

  private static ConsumerRecord<byte[], byte[]> record(String topic, String key, byte[] value) {
    return new ConsumerRecord<>(topic, 0, 0L, key.getBytes(StandardCharsets.UTF_8), value);
  }
}
