package io.advrank.defensetrainer;

import ai.djl.Device;
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
import io.advrank.runtime.model.AssembledModel;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hardening itself, without Kafka: a {@link TrainingBuffer} of what the trainer has seen, one
 * EST step per batch on the candidate ({@link #step}), and at each {@link EvaluationSchedule} point
 * an evaluation of parent and candidate ({@link Figures}) that the {@link Gate} turns into a {@link
 * Decision}: publish (the candidate, snapshotted as a version, becomes the parent), reset (a
 * candidate whose R@1 fell too far goes back to the parent) or keep training (one not yet robust
 * enough). With {@code train.weight.averaging}, the candidate measured and published is the moving
 * average of the trained weights, while training goes on from the weights themselves. Confined to
 * the trainer thread, except {@link #parentVersion}.
 */
final class HardeningRound implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HardeningRound.class);

  private final DefenseTrainerSettings settings;
  private final Gate gate;
  private final Clock clock;
  private final DefenseTrainerMetrics metrics;
  private final BooleanSupplier stopping;
  private final Device device;
  private final Random random;
  private final String run;
  private final ModelSpec spec;
  private final TrainingBuffer buffer;
  private final EvaluationSchedule schedule;
  private volatile AssembledModel parent;
  private Figures parentFigures;
  private Figures rootFigures; // the version the trainer started from: the R@1 budget's base
  private EmbeddingModel candidate;
  private TripletTrainer trainer;
  private ImageDataset heldOut;
  private long steps;
  private long stepsSinceParent;
  private int candidates;

  /**
   * Hardening of {@code start} (opened on the settings' device) judged by {@code gate}; {@code
   * stopping} cuts an evaluation short when the service stops.
   */
  HardeningRound(
      AssembledModel start,
      DefenseTrainerSettings settings,
      Gate gate,
      Clock clock,
      DefenseTrainerMetrics metrics,
      BooleanSupplier stopping)
      throws ModelException {
    this.settings = settings;
    this.gate = gate;
    this.clock = clock;
    this.metrics = metrics;
    this.stopping = stopping;
    this.device = settings.device().resolve();
    this.random = new Random(settings.trainerId().hashCode());
    this.run = Long.toString(clock.millis() / 1000, 36);
    this.parent = start;
    this.candidate = Versions.open(start, device);
    this.spec = candidate.spec();
    this.buffer = new TrainingBuffer(settings.bufferImages(), settings.heldOutImages(), spec);
    this.trainer = newTrainer(candidate);
    this.schedule = new EvaluationSchedule(settings.evalSteps(), settings.evalInterval(), clock);
    LOG.info("defense-trainer fine-tunes {} with EST", start.version());
  }

  /** The settings' gate. */
  static Gate gate(DefenseTrainerSettings settings) {
    return new Gate(settings.maxRecallDrop(), settings.minRobustnessGain(), settings.gateMetric());
  }

  ModelSpec spec() {
    return spec;
  }

  /** Where ingested images go. */
  TrainingBuffer buffer() {
    return buffer;
  }

  /** The version candidates are measured against now (the last published or rebased on). */
  AssembledModel parent() {
    return parent;
  }

  /** As {@link #parent}'s id; safe from any thread. */
  String parentVersion() {
    return parent.version();
  }

  /** The model being trained (its weights themselves, not their average). */
  EmbeddingModel candidate() {
    return candidate;
  }

  /** Steps since the candidate was last the parent's weights. */
  long stepsSinceParent() {
    return stepsSinceParent;
  }

  /** Whether the buffer can give a batch. */
  boolean ready() {
    return buffer.canSample(settings.batchSize());
  }

  /** One EST step on a batch from the buffer (which must be {@link #ready}). */
  void step() {
    TrainingBuffer.Batch batch = buffer.sample(settings.batchSize(), random);
    long t0 = System.nanoTime();
    trainer.step(batch.pixels(), batch.triplets());
    metrics.stepTime.record(Duration.ofNanos(System.nanoTime() - t0));
    metrics.steps.increment();
    steps++;
    stepsSinceParent++;
    schedule.stepped();
  }

  boolean evaluationDue() {
    return schedule.due(buffer.heldOutSize());
  }

  /**
   * Consumers now serve {@code source}, loaded as {@code model} (owned from now on): it becomes the
   * parent and the candidate. The buffer is kept; figures are measured anew and become the R@1
   * budget's base.
   */
  void rebase(EmbeddingModel model, AssembledModel source) {
    candidate.close();
    candidate = model;
    parent = source;
    parentFigures = null;
    trainer = newTrainer(candidate);
    stepsSinceParent = 0;
    schedule.restart();
  }

  /**
   * Measures parent (once per parent) and candidate and lets the gate decide; {@code superseded} is
   * asked after measuring whether consumers switched version meanwhile ({@link
   * Decision.Outcome#DROPPED}).
   */
  Decision evaluate(BooleanSupplier superseded) throws ModelException {
    if (heldOut == null) {
      heldOut = buffer.freezeHeldOut();
      LOG.info("held-out set frozen at {} images", heldOut.size());
    }
    if (parentFigures == null) {
      try (EmbeddingModel p = Versions.open(parent, device)) {
        parentFigures = measure(p);
      }
      // At start, and after a rollback: the served version is the base of the R@1 budget.
      rootFigures = parentFigures;
      metrics.figures("parent", parentFigures);
    }
    // A candidate is the trainer's weight average (when averaging), measured and published as such.
    Figures figures = trainer.withAveragedWeights(() -> measure(candidate));
    metrics.figures("candidate", figures);
    if (superseded.getAsBoolean()) {
      return Decision.DROPPED;
    }
    Gate.Verdict verdict = gate.judge(rootFigures, parentFigures, figures);
    Decision.Outcome outcome = Decision.Outcome.of(verdict);
    String version =
        settings.versionPrefix() + "-" + run + "-" + String.format("%04d", ++candidates);
    Figures before = parentFigures;
    String parentVersion = parent.version();
    AssembledModel published = null;
    if (outcome == Decision.Outcome.PUBLISH) {
      published = trainer.withAveragedWeights(() -> snapshot(version, figures));
      parent = published;
      parentFigures = figures;
      stepsSinceParent = 0;
      metrics.figures("parent", figures);
    } else if (outcome == Decision.Outcome.RESET) {
      candidate.close();
      candidate = null;
      candidate = Versions.open(parent, device);
      trainer = newTrainer(candidate);
      stepsSinceParent = 0;
    }
    schedule.restart();
    return new Decision(
        outcome,
        version,
        parentVersion,
        verdict.reason(),
        before,
        figures,
        steps,
        buffer.size(),
        published);
  }

  @Override
  public void close() {
    if (candidate != null) {
      candidate.close();
      candidate = null;
    }
  }

  /**
   * EST with the configured inner attack (ε after its warm-up, α = 2ε / iterations) and share of
   * clean triplets, or ACT with the same ε and iterations.
   */
  private Defense defense() {
    PgdSchedule pgd = PgdSchedule.of(settings.epsilon(), settings.attackIterations());
    if (settings.defense().equals("act")) {
      return new ActDefense(pgd);
    }
    return new EstDefense(pgd)
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

  private Figures measure(EmbeddingModel model) {
    long t0 = System.nanoTime();
    Figures f =
        Figures.measure(
            model,
            heldOut,
            settings.probeItems(),
            settings.profile(),
            settings.gateMetric() == GateMetric.ERS,
            stopping);
    metrics.evaluationTime.record(Duration.ofNanos(System.nanoTime() - t0));
    return f;
  }

  /** The candidate's current weights (the average, when averaging) as version {@code version}. */
  private AssembledModel snapshot(String version, Figures figures) {
    Map<String, String> training =
        Map.of(
            "defense", defense().describe(),
            "steps_since_parent", Long.toString(stepsSinceParent),
            "batch_size", Integer.toString(settings.batchSize()),
            "learning_rate", Float.toString(settings.learningRate()),
            "margin", Float.toString(settings.margin()),
            "weight_averaging", Double.toString(settings.weightAveraging()),
            "trainer", settings.trainerId());
    return Versions.snapshot(
        candidate,
        version,
        parent.version(),
        clock.instant(),
        training,
        figures.values(),
        heldOut,
        device);
  }
}
