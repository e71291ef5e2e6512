package io.advrank.defensetrainer;

import io.advrank.core.attack.PgdSchedule;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.defense.ActDefense;
import io.advrank.core.defense.Defense;
import io.advrank.core.defense.EstDefense;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelException;
import io.advrank.core.model.ModelSpec;
import io.advrank.core.train.TrainSettings;
import io.advrank.core.train.TripletTrainer;
import io.advrank.proto.v1.AdversarialVariant;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ImageKind;
import io.advrank.proto.v1.ModelDecision;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.model.AssembledModel;
import io.advrank.runtime.model.ModelFeed;
import io.advrank.runtime.model.ModelTopic;
import io.advrank.runtime.model.ModelUpdate;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.ImageEventChecks;
import io.advrank.runtime.wire.RejectedRecordException;
import io.advrank.serving.ModelInput;
import io.advrank.serving.ServedVersions;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer thread: takes labelled catalog images and adversarial variants into a {@link
 * TrainingBuffer}, takes one EST step per batch on the candidate, and every {@code eval.steps}
 * steps or {@code eval.interval} measures parent and candidate ({@link Figures}); the {@link Gate}
 * decides. With {@code train.weight.averaging}, the candidate measured and published is the moving
 * average of the trained weights, while training goes on from the weights themselves. A published
 * candidate becomes the parent (and travels on {@code advrank.models}); a candidate rejected for
 * its R@1 is reset to the parent, one rejected for too little robustness keeps training. Every
 * decision is a {@link ModelDecision} on {@code advrank.model-decisions}.
 */
final class TrainerLoop implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(TrainerLoop.class);
  private static final Duration IDLE_POLL = Duration.ofMillis(200);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Producer<byte[], byte[]> producer;
  private final DeadLetters deadLetters;
  private final DefenseTrainerSettings settings;
  private final Clock clock;
  private final DefenseTrainerMetrics metrics;
  private final Consumer<String> onPublished;
  private final Consumer<Throwable> onFatal;
  private final MeterRegistry registry;
  private final AtomicReference<Offer> offered = new AtomicReference<>();
  private ModelFeed<EmbeddingModel> feed;
  private final Gate gate;
  private final Random random;
  private final String run;
  private volatile boolean running = true;
  private ModelSpec spec;
  private TrainingBuffer buffer;
  private AssembledModel parent;
  private Figures parentFigures;
  private Figures rootFigures; // the version the trainer started from: the R@1 budget's base
  private EmbeddingModel candidate;
  private TripletTrainer trainer;
  private ImageDataset heldOut;
  private long steps;
  private long stepsSinceParent;
  private long stepsSinceEval;
  private long lastEvalMs;
  private int candidates;

  TrainerLoop(
      KafkaConsumer<byte[], byte[]> consumer,
      Producer<byte[], byte[]> producer,
      DeadLetters deadLetters,
      DefenseTrainerSettings settings,
      Clock clock,
      DefenseTrainerMetrics metrics,
      Consumer<String> onPublished,
      Consumer<Throwable> onFatal,
      MeterRegistry registry) {
    this.registry = registry;
    this.consumer = consumer;
    this.producer = producer;
    this.deadLetters = deadLetters;
    this.settings = settings;
    this.clock = clock;
    this.metrics = metrics;
    this.onPublished = onPublished;
    this.onFatal = onFatal;
    this.gate =
        new Gate(settings.maxRecallDrop(), settings.minRobustnessGain(), settings.gateMetric());
    this.random = new Random(settings.trainerId().hashCode());
    this.run = Long.toString(clock.millis() / 1000, 36);
  }

  @Override
  public void run() {
    try (consumer) {
      start(startingVersion());
      followServedVersions();
      consumer.subscribe(List.of(Topics.CATALOG.name(), Topics.ADVERSARIAL.name()));
      while (running) {
        rebaseIfOffered();
        boolean ready = buffer.canSample(settings.batchSize());
        consumer.poll(ready ? Duration.ZERO : IDLE_POLL).forEach(this::ingest);
        metrics.bufferImages(buffer.size());
        if (ready) {
          step();
        }
        if (evaluationDue()) {
          evaluate();
        }
      }
    } catch (WakeupException e) {
      // stop() woke us up
    } catch (ModelException | RuntimeException e) {
      if (running) {
        onFatal.accept(e);
      }
    } finally {
      if (feed != null) {
        feed.close();
      }
      Offer left = offered.getAndSet(null);
      if (left != null) {
        left.model().close();
      }
      if (candidate != null) {
        candidate.close();
      }
    }
  }

  /** A version the consumers switched to, loaded for the trainer. */
  private record Offer(EmbeddingModel model, ModelUpdate update) {}

  /**
   * Follows {@code advrank.models} as the ranker and the attack-worker do, so that a rollback
   * ({@code advrank models rollback}) or a version published by someone else becomes the model the
   * trainer hardens, instead of the trainer going on with a lineage nobody serves.
   */
  private void followServedVersions() {
    if (settings.signing().trust().enforced() && settings.signing().signer().isEmpty()) {
      LOG.warn(
          "defense-trainer trusts signed versions only but has no models.signing-key: consumers"
              + " with the same keys will refuse every version it publishes");
    }
    feed =
        ServedVersions.feed(
            "defense-trainer",
            settings.kafka().bootstrapServers(),
            settings.signing().trust(),
            spec,
            settings.device().resolve(),
            parent.version(),
            parent.createdAtMs(),
            (model, update) -> {
              Offer previous = offered.getAndSet(new Offer(model, update));
              if (previous != null) {
                previous.model().close();
              }
            },
            registry,
            clock);
    feed.start();
  }

  /** Whether consumers switched to a version other than the parent, not rebased on yet. */
  private boolean superseded() {
    Offer offer = offered.get();
    return offer != null && !offer.update().version().equals(parent.version());
  }

  /**
   * Between two steps: if consumers now serve a version other than the trainer's parent, that
   * version becomes the parent and the candidate (the buffer is kept; figures are measured anew and
   * become the R@1 budget's base). The trainer's own publications come back here too.
   */
  private void rebaseIfOffered() {
    Offer offer = offered.getAndSet(null);
    if (offer == null) {
      return;
    }
    if (offer.update().version().equals(parent.version())) {
      offer.model().close();
    } else {
      LOG.info(
          "consumers now serve {}{}: fine-tuning it instead of {}",
          offer.update().version(),
          offer.update().rollback() ? " (rollback)" : "",
          parent.version());
      candidate.close();
      candidate = offer.model();
      parent = offer.update().source();
      parentFigures = null;
      trainer = newTrainer(candidate);
      stepsSinceParent = 0;
      stepsSinceEval = 0;
      lastEvalMs = clock.millis();
    }
    feed.served(offer.update());
  }

  /** Ends the loop after the current step or evaluation; safe from any thread. */
  void stop() {
    running = false;
    consumer.wakeup();
  }

  /** The version candidates are measured against now (the last published one). */
  String parentVersion() {
    AssembledModel p = parent;
    return p == null ? "" : p.version();
  }

  /** The version consumers serve now (the topic's), else the configured model directory. */
  private AssembledModel startingVersion() throws ModelException {
    ModelTopic.History history =
        ModelTopic.read(
            settings.kafka().bootstrapServers(),
            settings.signing().trust(),
            Duration.ofSeconds(60));
    if (history.active().isPresent()) {
      String active = history.active().get();
      return history.versions().stream()
          .filter(v -> v.version().equals(active))
          .reduce((a, b) -> b)
          .orElseThrow();
    }
    return Versions.fromDirectory(settings.modelDir());
  }

  private void start(AssembledModel version) throws ModelException {
    parent = version;
    candidate = Versions.open(version, settings.device().resolve());
    spec = candidate.spec();
    buffer = new TrainingBuffer(settings.bufferImages(), settings.heldOutImages(), spec);
    trainer = newTrainer(candidate);
    lastEvalMs = clock.millis();
    LOG.info("defense-trainer fine-tunes {} with EST", version.version());
  }

  /**
   * EST with the configured inner attack (ε after its warm-up, α = 2ε / iterations) and share of
   * clean triplets, or ACT with the same ε and iterations.
   */
  private Defense defense() {
    PgdSchedule schedule = PgdSchedule.of(settings.epsilon(), settings.attackIterations());
    if (settings.defense().equals("act")) {
      return new ActDefense(schedule);
    }
    return new EstDefense(schedule)
        .withWarmup(settings.epsilonWarmupSteps())
        .withCleanWeight(settings.cleanWeight());
  }

  private TripletTrainer newTrainer(EmbeddingModel model) {
    TrainSettings train =
        new TrainSettings(
            1, settings.batchSize(), settings.learningRate(), 1e-7f, settings.margin(), steps);
    // The ε warm-up counts this trainer's steps since it started, across resets and rebases.
    return defense().trainer(model, train, steps).optWeightAveraging(settings.weightAveraging());
  }

  private void ingest(ConsumerRecord<byte[], byte[]> r) {
    try {
      if (r.topic().equals(Topics.CATALOG.name())) {
        if (r.value() == null) {
          return; // a deleted item: its images stay in the buffer until they roll out
        }
        ImageEvent e =
            ImageEventChecks.decode(r, Topics.CATALOG, ImageKind.IMAGE_KIND_CATALOG_ITEM);
        if (e.hasLabel()) {
          buffer.addCatalog(e.getItemId(), pixels(e.getPixels()), e.getLabel());
        }
      } else {
        AdversarialVariant v = variant(r);
        if (buffer.addVariant(v.getItemId(), pixels(v.getPerturbed()))) {
          metrics.variants.increment();
        }
      }
    } catch (RejectedRecordException e) {
      deadLetters.publish(r, e.reason(), e);
    }
  }

  private float[] pixels(io.advrank.proto.v1.Pixels p) throws RejectedRecordException {
    return ModelInput.pixels(p, spec);
  }

  private static AdversarialVariant variant(ConsumerRecord<byte[], byte[]> r)
      throws RejectedRecordException {
    try {
      AdversarialVariant v =
          Topics.ADVERSARIAL
              .valueSerde()
              .deserializer()
              .deserialize(r.topic(), r.headers(), r.value());
      if (v == null || v.getItemId().isEmpty()) {
        throw new RejectedRecordException(
            DeadLetters.Reason.INVALID, "variant without item id", null);
      }
      return v;
    } catch (SerializationException e) {
      throw new RejectedRecordException(DeadLetters.Reason.MALFORMED, e.getMessage(), e);
    }
  }

  private void step() {
    TrainingBuffer.Batch batch = buffer.sample(settings.batchSize(), random);
    long t0 = System.nanoTime();
    trainer.step(batch.pixels(), batch.triplets());
    metrics.stepTime.record(Duration.ofNanos(System.nanoTime() - t0));
    metrics.steps.increment();
    steps++;
    stepsSinceParent++;
    stepsSinceEval++;
  }

  private boolean evaluationDue() {
    if (stepsSinceEval == 0 || buffer.heldOutSize() < 20) {
      return false;
    }
    return stepsSinceEval >= settings.evalSteps()
        || clock.millis() - lastEvalMs >= settings.evalInterval().toMillis();
  }

  private void evaluate() throws ModelException {
    if (heldOut == null) {
      heldOut = buffer.freezeHeldOut();
      LOG.info("held-out set frozen at {} images", heldOut.size());
    }
    if (parentFigures == null) {
      try (EmbeddingModel p = Versions.open(parent, settings.device().resolve())) {
        parentFigures = measure(p);
      }
      // At start, and after a rollback: the served version is the base of the R@1 budget.
      rootFigures = parentFigures;
      metrics.figures("parent", parentFigures);
    }
    // A candidate is the trainer's weight average (when averaging), measured and published as such.
    Figures figures = trainer.withAveragedWeights(() -> measure(candidate));
    metrics.figures("candidate", figures);
    if (superseded()) {
      // Consumers switched (e.g. a rollback) while this candidate was measured: publishing it now
      // would undo the switch, since the newest version wins. The loop rebases next.
      LOG.info("candidate dropped: consumers now serve {}", offered.get().update().version());
      return;
    }
    Gate.Verdict verdict = gate.judge(rootFigures, parentFigures, figures);
    String version =
        settings.versionPrefix() + "-" + run + "-" + String.format("%04d", ++candidates);
    Figures before = parentFigures;
    String parentVersion = parent.version();
    if (verdict.publish()) {
      trainer.withAveragedWeights(() -> publish(version, figures));
    } else if (verdict.recallFailed()) {
      candidate.close();
      candidate = null;
      candidate = Versions.open(parent, settings.device().resolve());
      trainer = newTrainer(candidate);
      stepsSinceParent = 0;
    }
    decide(version, parentVersion, verdict, before, figures);
    stepsSinceEval = 0;
    lastEvalMs = clock.millis();
  }

  private Figures measure(EmbeddingModel model) {
    long t0 = System.nanoTime();
    Figures f =
        Figures.measure(
            model,
            heldOut,
            settings.probeItems(),
            settings.profile(),
            settings.gateMetric() == GateMetric.ERS,
            () -> !running);
    metrics.evaluationTime.record(Duration.ofNanos(System.nanoTime() - t0));
    return f;
  }

  /** Snapshots the candidate's weights (the average, when averaging) and publishes them. */
  private AssembledModel publish(String version, Figures figures) {
    Map<String, String> training =
        Map.of(
            "defense", defense().describe(),
            "steps_since_parent", Long.toString(stepsSinceParent),
            "batch_size", Integer.toString(settings.batchSize()),
            "learning_rate", Float.toString(settings.learningRate()),
            "margin", Float.toString(settings.margin()),
            "weight_averaging", Double.toString(settings.weightAveraging()),
            "trainer", settings.trainerId());
    AssembledModel v =
        Versions.snapshot(
            candidate,
            version,
            parent.version(),
            clock.instant(),
            training,
            figures.values(),
            heldOut,
            settings.device().resolve());
    ModelTopic.publish(
        settings.kafka().bootstrapServers(),
        v,
        settings.signing().signer(),
        Duration.ofSeconds(60));
    parent = v;
    parentFigures = figures;
    stepsSinceParent = 0;
    metrics.figures("parent", figures);
    onPublished.accept(version);
    return v;
  }

  private void decide(
      String version, String parentVersion, Gate.Verdict verdict, Figures before, Figures after) {
    LOG.info("{}: {}", version, verdict.reason());
    ModelDecision decision =
        ModelDecision.newBuilder()
            .setCandidateVersion(version)
            .setParentVersion(parentVersion)
            .setPublished(verdict.publish())
            .setReason(verdict.reason())
            .putAllParentMetrics(before.values())
            .putAllCandidateMetrics(after.values())
            .setSteps(steps)
            .setBufferImages(buffer.size())
            .setDecidedAtMs(clock.millis())
            .build();
    String topic = Topics.MODEL_DECISIONS.name();
    RecordHeaders headers = new RecordHeaders();
    byte[] key = Topics.MODEL_DECISIONS.keySerde().serializer().serialize(topic, version);
    byte[] value =
        Topics.MODEL_DECISIONS.valueSerde().serializer().serialize(topic, headers, decision);
    producer.send(new ProducerRecord<>(topic, null, key, value, headers));
    metrics.decision(verdict.publish());
  }
}
