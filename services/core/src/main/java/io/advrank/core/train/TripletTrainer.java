package io.advrank.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.Autograd;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.GradientLane;
import io.advrank.core.ranking.RetrievalMetrics;
import io.advrank.core.train.TrainListener.EpochStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Trains (or fine-tunes) an {@link EmbeddingModel} with the cosine triplet loss and Adam, seeded
 * and reproducible on one device. Each step runs in its own native sub-manager. With a {@link
 * BatchAdversary} every batch is first replaced by its adversarial version (adversarial training).
 */
public final class TripletTrainer {
  /**
   * Images per forward/backward pass inside a step. Measured on 2 cores: 1000-image passes ran 2.4×
   * slower per image than 250-image ones (their conv activations, ~100 MB, miss every cache).
   */
  static final int CHUNK = 250;

  private final EmbeddingModel model;
  private final TrainSettings settings;
  private final Optimizer optimizer;
  private final Random random;
  private BatchAdversary adversary;
  private TripletAdversary tripletAdversary;
  private float cleanWeight;
  private float shiftWeight;
  private WeightAverage average;
  private NegativeSampling negatives = NegativeSampling.RANDOM;
  private RandomShift shift;
  private TrainListener listener = new TrainListener() {};
  private ImageDataset evalSet;
  private int chunk = CHUNK;

  public TripletTrainer(EmbeddingModel model, TrainSettings settings) {
    this.model = model;
    this.settings = settings;
    this.random = new Random(settings.seed());
    // Adam's state is freed with the model (DJL's own Adam would leave it in native memory).
    this.optimizer =
        new ScopedAdam(
            Optimizer.adam()
                .optLearningRateTracker(Tracker.fixed(settings.learningRate()))
                .optWeightDecays(settings.weightDecay()),
            model.manager());
  }

  /** Train on adversarial versions of every batch. */
  public TripletTrainer optAdversary(BatchAdversary adversary) {
    if (tripletAdversary != null) {
      throw new IllegalStateException("one adversary per trainer: a triplet adversary is set");
    }
    this.adversary = adversary;
    return this;
  }

  /** Train on the batch and triplets {@code adversary} makes of every batch (ACT). */
  public TripletTrainer optTripletAdversary(TripletAdversary adversary) {
    if (this.adversary != null) {
      throw new IllegalStateException("one adversary per trainer: a batch adversary is set");
    }
    this.tripletAdversary = adversary;
    return this;
  }

  /**
   * With an adversary, also keep the clean triplets: L = w·L(x) + (1 − w)·L(x̃), both on the same
   * triplet indices. w = 0 (the default) is the paper's EST, which trains on x̃ alone; a clean
   * share holds on to clean R@1 while the model hardens, at the cost of one more forward/backward
   * pass.
   */
  public TripletTrainer optCleanWeight(double weight) {
    if (!(weight >= 0 && weight < 1)) {
      throw new IllegalArgumentException("clean weight: must be in [0, 1), was " + weight);
    }
    this.cleanWeight = (float) weight;
    return this;
  }

  /**
   * With an adversary, also penalise the embedding shift itself: adds λ·mean d(f(x), f(x̃)), the
   * quantity the ES attack maximised, so the step minimises the maximum shift directly (a
   * TRADES-style term for embeddings; our variant, not the paper's).
   */
  public TripletTrainer optShiftWeight(double lambda) {
    if (!(lambda >= 0)) {
      throw new IllegalArgumentException("shift weight: must be >= 0, was " + lambda);
    }
    this.shiftWeight = (float) lambda;
    return this;
  }

  /**
   * Keep an exponential moving average of the weights, θ̄ ← δ·θ̄ + (1 − δ)·θ after every step
   * ({@link WeightAverage}); epoch evaluations and checkpoints see the average, and {@link #fit}
   * leaves it in the model. 0 (the default) keeps no average.
   */
  public TripletTrainer optWeightAveraging(double decay) {
    if (!(decay >= 0 && decay < 1)) {
      throw new IllegalArgumentException("weight averaging: must be in [0, 1), was " + decay);
    }
    this.average = decay == 0 ? null : new WeightAverage(model, decay);
    return this;
  }

  /**
   * Runs {@code work} (a measurement, a snapshot) with the averaged weights in the model and puts
   * the live weights back; without averaging, just runs it.
   */
  public <T> T withAveragedWeights(Supplier<T> work) {
    return average == null ? work.get() : average.apply(work);
  }

  /**
   * How {@link #fit} picks each anchor's negatives: {@link NegativeSampling#RANDOM} (the default,
   * the paper's) or {@link NegativeSampling#ALL}.
   */
  public TripletTrainer optNegatives(NegativeSampling negatives) {
    this.negatives = Objects.requireNonNull(negatives, "negatives");
    return this;
  }

  /**
   * Move every training image by up to {@code pixels} each way before its step ({@link
   * RandomShift}); the draws have their own stream, seeded from the settings' seed, so batches and
   * negatives are those of a run without it. 0 (the default) trains on the images as they are.
   */
  public TripletTrainer optRandomShift(int pixels) {
    this.shift = pixels == 0 ? null : new RandomShift(pixels, settings.seed() ^ 0x5EED5EEDL);
    return this;
  }

  public TripletTrainer optListener(TrainListener listener) {
    this.listener = listener;
    return this;
  }

  /** Report leave-one-out R@1 and mAP on this set after every epoch. */
  public TripletTrainer optEvaluation(ImageDataset evalSet) {
    this.evalSet = evalSet;
    return this;
  }

  /**
   * Steps {@link #fit} takes per epoch over images with these {@code labels} at {@code batchSize}
   * (per-class pairs, batchSize / 2 pairs a batch), e.g. to ramp a defense over a whole run.
   */
  public static int stepsPerEpoch(int[] labels, int batchSize) {
    return TripletSampler.batchesPerEpoch(labels, batchSize);
  }

  /** Runs {@link TrainSettings#epochs()} epochs over {@code train}. */
  public List<EpochStats> fit(ImageDataset train) {
    model.requireInputShape(train);
    TripletSampler sampler =
        new TripletSampler(train.labels(), settings.batchSize(), random, negatives);
    List<EpochStats> history = new ArrayList<>();
    for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
      List<int[]> batches = sampler.epoch();
      if (epoch == 1) {
        listener.onStart(settings.epochs(), batches.size());
      }
      long t0 = System.nanoTime();
      double lossSum = 0;
      for (int s = 0; s < batches.size(); s++) {
        int[] batch = batches.get(s);
        float[] pixels = train.batch(batch);
        if (shift != null) {
          shift.apply(pixels, train.channels(), train.height(), train.width());
        }
        float loss = step(pixels, sampler.triplets(batch));
        lossSum += loss;
        listener.onStep(epoch, s + 1, loss);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      double meanLoss = lossSum / Math.max(1, batches.size());
      // The evaluation and the listener (which saves checkpoints) see the averaged weights,
      // which the last epoch leaves in the model.
      int done = epoch;
      if (average != null && epoch == settings.epochs()) {
        average.keep();
        history.add(endEpoch(done, meanLoss, seconds));
      } else {
        history.add(withAveragedWeights(() -> endEpoch(done, meanLoss, seconds)));
      }
    }
    return history;
  }

  private EpochStats endEpoch(int epoch, double meanLoss, double seconds) {
    RetrievalMetrics.Result r = evaluate();
    EpochStats stats =
        new EpochStats(
            epoch,
            meanLoss,
            seconds,
            r == null ? Double.NaN : r.recallAt1(),
            r == null ? Double.NaN : r.meanAveragePrecision());
    listener.onEpoch(stats);
    return stats;
  }

  /**
   * One optimiser step on a batch of images (pixels in [0,1]) with the given in-batch triplets;
   * returns the loss before the step.
   */
  public float step(float[] pixels, Triplets triplets) {
    try (NDManager step = model.manager().newSubManager()) {
      float loss = gradients(step, pixels, triplets);
      for (Pair<String, Parameter> p : model.parameters()) {
        NDArray w = p.getValue().getArray();
        NDArray g = w.getGradient();
        g.attach(step); // the handle, not the gradient buffer, is released with the step
        optimizer.update(p.getValue().getId(), w, g);
        g.subi(g);
      }
      if (average != null) {
        average.update();
      }
      return loss;
    }
  }

  /** Leaves dL/dθ in the parameters' gradients and returns L; arrays live in {@code step}. */
  float gradients(NDManager step, float[] pixels, Triplets batchTriplets) {
    Triplets triplets = batchTriplets;
    NDArray x = step.create(pixels, EmbeddingModel.inputShape(model.spec(), triplets.images()));
    if (tripletAdversary != null) {
      TripletAdversary.Batch adv = tripletAdversary.perturb(model, x, triplets);
      x = adv.images();
      triplets = adv.triplets();
    }
    int n = triplets.images();
    NDArray anchors = step.create(toLong(triplets.anchors()));
    NDArray pos = step.create(toLong(triplets.positives()));
    NDArray neg = step.create(toLong(triplets.negatives()));
    Loss loss = e -> TripletLoss.compute(e, anchors, pos, neg, settings.margin());
    if (adversary != null) {
      NDArray adv = adversary.perturb(model, x);
      if (cleanWeight > 0 || shiftWeight > 0) {
        float w = cleanWeight;
        float lambda = shiftWeight;
        Loss single = loss;
        // Rows [0, n) are the clean images, [n, 2n) their adversarial versions.
        loss =
            e -> {
              NDArray clean = half(e, 0, n);
              NDArray shifted = half(e, n, n);
              NDArray l = single.of(shifted).mul(1 - w);
              if (w > 0) {
                l = l.add(single.of(clean).mul(w));
              }
              if (lambda > 0) {
                l = l.add(clean.mul(shifted).sum(new int[] {1}).neg().add(1f).mean().mul(lambda));
              }
              return l;
            };
        x = NDArrays.concat(new NDList(x, adv));
      } else {
        x = adv;
      }
    }
    return x.getShape().get(0) <= chunk ? backward(x, loss) : chunkedBackward(step, x, loss);
  }

  /** The training loss as a function of the batch's (rows, D) embeddings. */
  private interface Loss {
    NDArray of(NDArray embeddings);
  }

  private static NDArray half(NDArray e, int start, int n) {
    return e.get(new NDIndex("{}:{}", start, start + n));
  }

  /** Test hook: images per pass inside a step. */
  TripletTrainer chunkSize(int images) {
    this.chunk = images;
    return this;
  }

  /** Loss and parameter gradients in one forward/backward over the whole batch. */
  private float backward(NDArray x, Loss loss) {
    try (GradientCollector gc = GradientLane.open()) {
      NDArray l = loss.of(model.forward(x, true));
      gc.backward(l);
      return l.getFloat();
    }
  }

  /**
   * The same gradients as {@link #backward} in chunks of {@link #CHUNK} images: embed every chunk
   * without a graph, take G = dL/dE on the small (n × D) embedding matrix, then backpropagate each
   * chunk's ⟨f(x_chunk), G_chunk⟩, whose parameter gradients sum to dL/dθ. One extra forward, but
   * activations of a 1000-image batch no longer thrash the caches.
   */
  private float chunkedBackward(NDManager step, NDArray x, Loss lossFn) {
    int n = (int) x.getShape().get(0);
    NDList parts = new NDList();
    Autograd.disableOnThisThread();
    for (int start = 0; start < n; start += chunk) {
      try (NDManager chunk = step.newSubManager()) {
        NDArray e = model.forward(slice(x, start, n, chunk), false);
        e.attach(step);
        parts.add(e);
      }
    }
    NDArray embeddings = NDArrays.concat(parts);
    embeddings.setRequiresGradient(true);
    float loss;
    try (GradientCollector gc = GradientLane.open()) {
      NDArray l = lossFn.of(embeddings);
      gc.backward(l);
      loss = l.getFloat();
    }
    NDArray g = embeddings.getGradient();
    g.attach(step);
    try (GradientCollector gc = GradientLane.open()) {
      for (int start = 0; start < n; start += chunk) {
        try (NDManager chunk = step.newSubManager()) {
          NDArray e = model.forward(slice(x, start, n, chunk), true);
          gc.backward(e.mul(slice(g, start, n, chunk)).sum());
        }
      }
    }
    return loss;
  }

  private NDArray slice(NDArray a, int start, int n, NDManager owner) {
    NDArray s = a.get(new NDIndex("{}:{}", start, Math.min(n, start + chunk)));
    s.attach(owner);
    return s;
  }

  private RetrievalMetrics.Result evaluate() {
    if (evalSet == null) {
      return null;
    }
    return RetrievalMetrics.leaveOneOut(model.embed(evalSet), evalSet.labels());
  }

  private static long[] toLong(int[] a) {
    long[] out = new long[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }
}
