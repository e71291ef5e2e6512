package io.advrank.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.advrank.core.model.Autograd;
import io.advrank.core.model.EmbeddingModel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * An exponential moving average of a model's parameters, θ̄ ← δ·θ̄ + (1 − δ)·θ after every
 * optimiser step (θ̄ starts at the weights before the first step). Averaging the weights of
 * adversarial training is a known way to hold clean accuracy and robustness at once (e.g. Gowal et
 * al. 2020, "Uncovering the limits of adversarial training"); the live weights keep training, the
 * average is what gets measured and saved. Here, with EST fine-tunes of the shipped model, δ =
 * 0.998 moved the robustness gained per R@1 point lost from 2.8 to 3.8 (README, "Defense").
 *
 * <p>The averages live in a sub-manager of the model's, so they are freed with the model. Confined
 * to the training thread, like the model's parameters.
 */
final class WeightAverage {
  private static final NDIndex ALL = new NDIndex("...");

  private final EmbeddingModel model;
  private final float decay;
  private final NDManager manager;
  private final List<NDArray> averages = new ArrayList<>();

  /**
   * @param decay δ in (0, 1): the weight of the old average per step, a horizon of ~1/(1 − δ) steps
   */
  WeightAverage(EmbeddingModel model, double decay) {
    if (!(decay > 0 && decay < 1)) {
      throw new IllegalArgumentException("weight averaging: must be in (0, 1), was " + decay);
    }
    this.model = model;
    this.decay = (float) decay;
    this.manager = model.manager().newSubManager();
    Autograd.disableOnThisThread(); // else the copies would record autograd history
    for (NDArray w : weights()) {
      NDArray a = w.duplicate();
      a.attach(manager);
      averages.add(a);
    }
  }

  /** After an optimiser step: θ̄ ← θ + δ·(θ̄ − θ), in place. */
  void update() {
    Autograd.disableOnThisThread();
    List<NDArray> weights = weights();
    for (int i = 0; i < weights.size(); i++) {
      averages.get(i).subi(weights.get(i)).muli(decay).addi(weights.get(i));
    }
  }

  /** Runs {@code work} with the averaged weights in the model, then puts the live ones back. */
  <T> T apply(Supplier<T> work) {
    Autograd.disableOnThisThread();
    List<NDArray> weights = weights();
    try (NDManager swap = manager.newSubManager()) {
      List<NDArray> live = new ArrayList<>();
      for (NDArray w : weights) {
        NDArray copy = w.duplicate();
        copy.attach(swap);
        live.add(copy);
      }
      copy(averages, weights);
      try {
        return work.get();
      } finally {
        copy(live, weights);
      }
    }
  }

  /** Leaves the averaged weights in the model for good (the end of a training run). */
  void keep() {
    Autograd.disableOnThisThread();
    copy(averages, weights());
  }

  /**
   * {@code to[i][...] = from[i]}, in place on the native tensors ({@link NDArray#copyTo} goes
   * through a Java buffer, and leaked ~3 MB of native memory per swap in {@code NativeMemoryTest}).
   */
  private static void copy(List<NDArray> from, List<NDArray> to) {
    for (int i = 0; i < to.size(); i++) {
      to.get(i).set(ALL, from.get(i));
    }
  }

  private List<NDArray> weights() {
    List<NDArray> out = new ArrayList<>();
    for (Pair<String, Parameter> p : model.parameters()) {
      out.add(p.getValue().getArray());
    }
    return out;
  }
}
