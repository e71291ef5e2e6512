package io.advrank.attackworker;

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
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Turns one micro-batch of input records into what to send inside the transaction the caller
 * opened: invalid records to the dead-letter topic, benign events forwarded unchanged, chosen
 * events attacked (one PGD run per campaign line) and replaced by their variant, plus their ground
 * truth and rank shift. Failed attacks are dead-lettered rather than retried, so one poisonous
 * event cannot stall the stream. The decisions ({@link #route}, {@link #emit}) take records and
 * return records; only {@link #process} runs PGD.
 */
final class MicroBatch {
  /** One thing a batch sends, in order, inside its transaction. */
  sealed interface Send {}

  /** An output record. */
  record Output(ProducerRecord<byte[], byte[]> record) implements Send {}

  /** An input record to dead-letter ({@link io.advrank.runtime.kafka.DeadLetters}). */
  record DeadLetter(ConsumerRecord<byte[], byte[]> source, Reason reason, Throwable cause)
      implements Send {}

  /**
   * What a batch sends before PGD, the events PGD must attack (in order, with the campaign line
   * that chose each), and its metric updates so far.
   */
  record Routed(List<Send> sends, Map<InboundEvent, CampaignAttack> chosen, List<Runnable> tally) {}

  private final InboundEvents inbound;
  private final Campaign campaign;
  private final BatchAttacks attacks;
  private final OutputRecords outputs;
  private final AttackWorkerMetrics metrics;
  private final Clock clock;

  MicroBatch(
      InboundEvents inbound,
      Campaign campaign,
      BatchAttacks attacks,
      OutputRecords outputs,
      AttackWorkerMetrics metrics,
      Clock clock) {
    this.inbound = inbound;
    this.campaign = campaign;
    this.attacks = attacks;
    this.outputs = outputs;
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
   * Sends ({@code out}) everything the batch produces; returns the metric updates to apply once
   * (and only if) the transaction commits. PGD runs on {@code pgd}; until it is done, the calling
   * thread runs {@code whileAttacking} over and over (the worker keeps the benign lane flowing),
   * which must neither block long nor touch the gallery.
   */
  Runnable process(
      List<ConsumerRecord<byte[], byte[]>> records,
      GallerySnapshot gallery,
      Executor pgd,
      Runnable whileAttacking,
      Consumer<Send> out) {
    Routed routed = route(records);
    routed.sends().forEach(out);
    List<Runnable> tally = new ArrayList<>(routed.tally());
    if (!routed.chosen().isEmpty()) {
      CompletableFuture<List<AttackOutcome>> outcomes =
          CompletableFuture.supplyAsync(() -> attacks.run(gallery, routed.chosen()), pgd);
      try {
        while (!outcomes.isDone()) {
          whileAttacking.run();
        }
      } catch (RuntimeException e) {
        // Never leave PGD running on a gallery the caller may close next.
        outcomes.handle((done, error) -> null).join();
        throw e;
      }
      emit(outcomes.join(), tally).forEach(out);
    }
    return () -> tally.forEach(Runnable::run);
  }

  /** The batch's records routed: forwards and dead letters to send, events to attack. */
  Routed route(List<ConsumerRecord<byte[], byte[]>> records) {
    List<Send> sends = new ArrayList<>();
    List<Runnable> tally = new ArrayList<>();
    Map<InboundEvent, CampaignAttack> chosen = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      if (isDelete(r)) {
        forward(OutputRecords.forward(r), sends, tally); // a tombstone deletes the item downstream
        continue;
      }
      try {
        InboundEvent e = inbound.read(r, clock.millis());
        Optional<CampaignAttack> attack =
            campaign.choose(e.catalog(), e.event().getEventId(), e.event().getItemId());
        if (attack.isPresent()) {
          chosen.put(e, attack.get());
        } else {
          forward(OutputRecords.forward(r), sends, tally);
        }
      } catch (RejectedRecordException e) {
        sends.add(new DeadLetter(r, e.reason(), e));
      }
    }
    return new Routed(sends, chosen, tally);
  }

  /**
   * What PGD's outcomes send: an attacked event's variant, ground truth and rank shift; a skipped
   * one unchanged; a failed one to the dead-letter topic. Their metric updates go to {@code tally}.
   */
  List<Send> emit(List<AttackOutcome> outcomes, List<Runnable> tally) {
    long now = clock.millis();
    List<Send> sends = new ArrayList<>();
    Map<Object, AttackOutcome> batches = new LinkedHashMap<>();
    for (AttackOutcome o : outcomes) {
      tally.add(() -> metrics.attack(o));
      switch (o.status()) {
        case ATTACKED -> {
          forward(outputs.delivered(o), sends, tally);
          sends.add(new Output(outputs.variant(o, now)));
          sends.add(new Output(outputs.rankShift(o, now)));
          batches.putIfAbsent(o.attack(), o);
        }
        case SKIPPED -> forward(OutputRecords.forward(o.event().record()), sends, tally);
        case FAILED ->
            sends.add(new DeadLetter(o.event().record(), Reason.PROCESSING_FAILED, o.error()));
      }
    }
    batches.values().forEach(o -> tally.add(() -> metrics.batch(o.batchSize(), o.latencyMicros())));
    return sends;
  }

  private void forward(
      ProducerRecord<byte[], byte[]> record, List<Send> sends, List<Runnable> tally) {
    sends.add(new Output(record));
    tally.add(() -> metrics.forwarded(record.topic()));
  }
}
