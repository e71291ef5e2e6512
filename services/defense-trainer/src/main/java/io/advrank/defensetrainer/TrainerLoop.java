package io.advrank.defensetrainer;

import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelException;
import io.advrank.proto.v1.ModelDecision;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.topic.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer thread, a thin Kafka shell around the pure steps: records from {@code
 * advrank.catalog} and {@code advrank.adversarial} go through {@link Ingest} into the {@link
 * HardeningRound}'s buffer (rejections to the dead-letter topic); the round steps and, when due,
 * decides; a published candidate goes out through the {@link ModelChannel} and every decision as a
 * {@link ModelDecision} on {@code advrank.model-decisions}. Between two steps it rebases on a
 * version consumers switched to ({@link VersionFollower}). The clients are passed in.
 */
final class TrainerLoop implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(TrainerLoop.class);
  private static final Duration IDLE_POLL = Duration.ofMillis(200);

  private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
  private final Producer<byte[], byte[]> producer;
  private final DeadLetters deadLetters;
  private final ModelChannel models;
  private final DefenseTrainerSettings settings;
  private final Clock clock;
  private final DefenseTrainerMetrics metrics;
  private final Consumer<String> onPublished;
  private final Consumer<Throwable> onFatal;
  private final VersionFollower<EmbeddingModel> follower =
      new VersionFollower<>(EmbeddingModel::close);
  private volatile boolean running = true;
  private volatile HardeningRound round;
  private ModelChannel.Following following;

  /**
   * A loop reading {@code consumer} (subscribed on {@link #run}), writing decisions and dead
   * letters with {@code producer}; {@code onPublished} hears each version published, {@code
   * onFatal} the error that stopped the loop.
   */
  TrainerLoop(
      org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer,
      Producer<byte[], byte[]> producer,
      DeadLetters deadLetters,
      ModelChannel models,
      DefenseTrainerSettings settings,
      Clock clock,
      DefenseTrainerMetrics metrics,
      Consumer<String> onPublished,
      Consumer<Throwable> onFatal) {
    this.consumer = consumer;
    this.producer = producer;
    this.deadLetters = deadLetters;
    this.models = models;
    this.settings = settings;
    this.clock = clock;
    this.metrics = metrics;
    this.onPublished = onPublished;
    this.onFatal = onFatal;
  }

  @Override
  public void run() {
    try (consumer) {
      round =
          new HardeningRound(
              models.startingVersion(),
              settings,
              HardeningRound.gate(settings),
              clock,
              metrics,
              () -> !running);
      following = models.follow(round.spec(), round.parent(), follower::offer);
      consumer.subscribe(List.of(Topics.CATALOG.name(), Topics.ADVERSARIAL.name()));
      while (running) {
        rebaseIfOffered();
        boolean ready = round.ready();
        consumer.poll(ready ? Duration.ZERO : IDLE_POLL).forEach(this::ingest);
        metrics.bufferImages(round.buffer().size());
        if (ready) {
          round.step();
        }
        if (round.evaluationDue()) {
          act(round.evaluate(() -> follower.supersedes(round.parentVersion())));
        }
      }
    } catch (WakeupException e) {
      // stop() woke us up
    } catch (ModelException | RuntimeException e) {
      if (running) {
        onFatal.accept(e);
      }
    } finally {
      if (following != null) {
        following.close(); // first: no offer arrives after the follower closed
      }
      follower.close();
      if (round != null) {
        round.close();
      }
    }
  }

  /** Ends the loop after the current step or evaluation; safe from any thread. */
  void stop() {
    running = false;
    consumer.wakeup();
  }

  /** The version candidates are measured against now (the last published one), or empty. */
  String parentVersion() {
    HardeningRound r = round;
    return r == null ? "" : r.parentVersion();
  }

  /** Between two steps: rebases on a version consumers switched to, if it is not the parent. */
  private void rebaseIfOffered() {
    VersionFollower.Offer<EmbeddingModel> offer = follower.take();
    if (offer == null) {
      return;
    }
    if (VersionFollower.rebases(round.parentVersion(), offer.update())) {
      LOG.info(
          "consumers now serve {}{}: fine-tuning it instead of {}",
          offer.update().version(),
          offer.update().rollback() ? " (rollback)" : "",
          round.parentVersion());
      round.rebase(offer.model(), offer.update().source());
    } else {
      offer.model().close(); // the trainer's own publication, come back
    }
    following.served(offer.update());
  }

  private void ingest(ConsumerRecord<byte[], byte[]> r) {
    Ingest in = Ingest.read(r, round.spec());
    TrainingBuffer buffer = round.buffer();
    if (in instanceof Ingest.Catalog c) {
      buffer.addCatalog(c.itemId(), c.pixels(), c.label());
    } else if (in instanceof Ingest.Variant v) {
      if (buffer.addVariant(v.itemId(), v.pixels())) {
        metrics.variants.increment();
      }
    } else if (in instanceof Ingest.Rejected x) {
      deadLetters.publish(r, x.reason(), x.error());
    }
  }

  /** Publishes a version that passed the gate, then reports the decision. */
  private void act(Decision d) {
    if (d.outcome() == Decision.Outcome.DROPPED) {
      // Publishing it now would undo the consumers' switch; the loop rebases next.
      LOG.info("candidate dropped: consumers now serve {}", follower.offeredVersion());
      return;
    }
    if (d.published() != null) {
      models.publish(d.published());
      onPublished.accept(d.version());
    }
    LOG.info("{}: {}", d.version(), d.reason());
    String topic = Topics.MODEL_DECISIONS.name();
    RecordHeaders headers = new RecordHeaders();
    byte[] key = Topics.MODEL_DECISIONS.keySerde().serializer().serialize(topic, d.version());
    byte[] value =
        Topics.MODEL_DECISIONS
            .valueSerde()
            .serializer()
            .serialize(topic, headers, d.toMessage(clock.millis()));
    producer.send(new ProducerRecord<>(topic, null, key, value, headers));
    metrics.decision(d.outcome() == Decision.Outcome.PUBLISH);
  }
}
