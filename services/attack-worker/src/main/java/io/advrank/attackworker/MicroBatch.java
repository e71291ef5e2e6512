package io.advrank.attackworker;

import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.kafka.DeadLetters.Reason;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.RejectedRecordException;
import io.advrank.serving.GallerySnapshot;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Transforms one micro-batch of input records into output records, sent through the worker's
 * producer inside the transaction the caller opened: invalid records to the dead-letter topic,
 * benign events forwarded unchanged, chosen events attacked (one PGD run per campaign line) and
 * replaced by their variant, plus their ground truth and rank shift. Failed attacks are
 * dead-lettered rather than retried, so one poisonous event cannot stall the stream.
 */
final class MicroBatch {
  private final Producer<byte[], byte[]> producer;
  private final InboundEvents inbound;
  private final Campaign campaign;
  private final BatchAttacks attacks;
  private final OutputRecords outputs;
  private final DeadLetters deadLetters;
  private final AttackWorkerMetrics metrics;
  private final Clock clock;

  MicroBatch(
      Producer<byte[], byte[]> producer,
      InboundEvents inbound,
      Campaign campaign,
      BatchAttacks attacks,
      OutputRecords outputs,
      DeadLetters deadLetters,
      AttackWorkerMetrics metrics,
      Clock clock) {
    this.producer = producer;
    this.inbound = inbound;
    this.campaign = campaign;
    this.attacks = attacks;
    this.outputs = outputs;
    this.deadLetters = deadLetters;
    this.metrics = metrics;
    this.clock = clock;
  }

  /**
   * Whether the record takes the benign lane ({@link Forwarder}): a tombstone, or a valid event the
   * campaign leaves alone. Invalid events (dead letters) and attack choices wait for a transaction;
   * the choice is a pure function of the event, so a replay routes it the same way.
   */
  boolean forwardsAtOnce(ConsumerRecord<byte[], byte[]> r) {
    if (isDelete(r)) {
      return true;
    }
    try {
      InboundEvent e = inbound.read(r, clock.millis());
      return campaign.choose(e.catalog(), e.event().getEventId(), e.event().getItemId()).isEmpty();
    } catch (RejectedRecordException e) {
      return false;
    }
  }

  /**
   * A catalog tombstone: the seller deleted the item. Only the compacted catalog has deletes; a
   * tombstone on the query topic is no query and is dead-lettered by {@link InboundEvents#read}.
   */
  private static boolean isDelete(ConsumerRecord<byte[], byte[]> r) {
    return r.value() == null && r.topic().equals(Topics.CATALOG.name());
  }

  /**
   * Sends everything the batch produces; returns the metric updates to apply once (and only if) the
   * transaction commits. PGD runs on {@code pgd}; until it is done, the calling thread runs {@code
   * whileAttacking} over and over (the worker keeps the benign lane flowing), which must neither
   * block long nor touch the gallery.
   */
  Runnable process(
      List<ConsumerRecord<byte[], byte[]>> records,
      GallerySnapshot gallery,
      Executor pgd,
      Runnable whileAttacking) {
    List<Runnable> tally = new ArrayList<>();
    Map<InboundEvent, CampaignAttack> chosen = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      if (isDelete(r)) {
        send(OutputRecords.forward(r), tally); // a tombstone deletes the item downstream too
        continue;
      }
      try {
        InboundEvent e = inbound.read(r, clock.millis());
        Optional<CampaignAttack> attack =
            campaign.choose(e.catalog(), e.event().getEventId(), e.event().getItemId());
        if (attack.isPresent()) {
          chosen.put(e, attack.get());
        } else {
          send(OutputRecords.forward(r), tally);
        }
      } catch (RejectedRecordException e) {
        deadLetters.publish(r, e.reason(), e);
      }
    }
    if (!chosen.isEmpty()) {
      CompletableFuture<List<AttackOutcome>> outcomes =
          CompletableFuture.supplyAsync(() -> attacks.run(gallery, chosen), pgd);
      try {
        while (!outcomes.isDone()) {
          whileAttacking.run();
        }
      } catch (RuntimeException e) {
        // Never leave PGD running on a gallery the caller may close next.
        outcomes.handle((done, error) -> null).join();
        throw e;
      }
      emit(outcomes.join(), tally);
    }
    return () -> tally.forEach(Runnable::run);
  }

  private void emit(List<AttackOutcome> outcomes, List<Runnable> tally) {
    long now = clock.millis();
    Map<Object, AttackOutcome> batches = new LinkedHashMap<>();
    for (AttackOutcome o : outcomes) {
      tally.add(() -> metrics.attack(o));
      switch (o.status()) {
        case ATTACKED -> {
          send(outputs.delivered(o), tally);
          producer.send(outputs.variant(o, now));
          producer.send(outputs.rankShift(o, now));
          batches.putIfAbsent(o.attack(), o);
        }
        case SKIPPED -> send(OutputRecords.forward(o.event().record()), tally);
        case FAILED -> deadLetters.publish(o.event().record(), Reason.PROCESSING_FAILED, o.error());
      }
    }
    batches.values().forEach(o -> tally.add(() -> metrics.batch(o.batchSize(), o.latencyMicros())));
  }

  private void send(ProducerRecord<byte[], byte[]> record, List<Runnable> tally) {
    producer.send(record);
    tally.add(() -> metrics.forwarded(record.topic()));
  }
}
