package io.advrank.core.train;

/** Progress callbacks from {@link TripletTrainer}, e.g. for a progress bar. */
public interface TrainListener {
  /** Called once before the first step. */
  default void onStart(int epochs, int stepsPerEpoch) {}

  /** Called after each optimiser step. */
  default void onStep(int epoch, int step, float loss) {}

  /** Called after each epoch, once its evaluation (if any) is done. */
  default void onEpoch(EpochStats stats) {}

  /**
   * @param epoch 1-based epoch number
   * @param meanLoss mean triplet loss over the epoch's steps
   * @param seconds wall time of the epoch's training steps (evaluation excluded)
   * @param recallAt1 leave-one-out R@1 on the evaluation set, NaN without one
   * @param meanAveragePrecision mAP on the evaluation set, NaN without one
   */
  record EpochStats(
      int epoch, double meanLoss, double seconds, double recallAt1, double meanAveragePrecision) {}
}
