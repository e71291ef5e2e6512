package io.advrank.core.train;

/**
 * How to train an embedding model with the cosine triplet loss (docs/method.md: Adam, lr 1e-3,
 * weight decay 1e-7, margin β = 0.2, batch 1000).
 *
 * @param epochs passes over the training set
 * @param batchSize images per step (anchors; each is paired with a same-class partner in the batch)
 * @param learningRate Adam's step size
 * @param weightDecay L2 penalty added to the gradient, as in torch's Adam
 * @param margin triplet margin β
 * @param seed fixes initial weights, sampling order and negatives
 */
public record TrainSettings(
    int epochs, int batchSize, float learningRate, float weightDecay, float margin, long seed) {

  public TrainSettings {
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs: must be >= 1, was " + epochs);
    }
    if (batchSize < 4 || batchSize % 2 != 0) {
      throw new IllegalArgumentException(
          "batch size: must be an even number >= 4, was " + batchSize);
    }
    if (!(learningRate > 0)) {
      throw new IllegalArgumentException("learning rate: must be > 0, was " + learningRate);
    }
    if (!(weightDecay >= 0)) {
      throw new IllegalArgumentException("weight decay: must be >= 0, was " + weightDecay);
    }
    if (!(margin > 0 && margin < 2)) {
      throw new IllegalArgumentException("margin: must be in (0, 2), was " + margin);
    }
  }

  /** The paper's settings for the given number of epochs and seed. */
  public static TrainSettings paper(int epochs, long seed) {
    return new TrainSettings(epochs, 1000, 1e-3f, 1e-7f, 0.2f, seed);
  }

  public TrainSettings withEpochs(int newEpochs) {
    return new TrainSettings(newEpochs, batchSize, learningRate, weightDecay, margin, seed);
  }

  public TrainSettings withBatchSize(int newBatchSize) {
    return new TrainSettings(epochs, newBatchSize, learningRate, weightDecay, margin, seed);
  }

  public TrainSettings withLearningRate(float newLearningRate) {
    return new TrainSettings(epochs, batchSize, newLearningRate, weightDecay, margin, seed);
  }

  public TrainSettings withMargin(float newMargin) {
    return new TrainSettings(epochs, batchSize, learningRate, weightDecay, newMargin, seed);
  }
}
