package io.advrank.cli;

import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelManifest;
import io.advrank.core.train.TrainListener.EpochStats;
import io.advrank.runtime.lifecycle.TempDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Saves the model after every epoch under {@code OUT/checkpoints/epoch-NN}, keeping only the
 * newest, so an interrupted run loses at most one epoch.
 */
final class Checkpoints {
  private final Path dir;
  private final EmbeddingModel model;
  private final ModelManifest draft;
  private Path previous;

  Checkpoints(Path out, EmbeddingModel model, ModelManifest draft) {
    this.dir = out.resolve("checkpoints");
    this.model = model;
    this.draft = draft;
  }

  void save(EpochStats e) {
    Path target = dir.resolve(String.format("epoch-%02d", e.epoch()));
    try {
      model.save(target, draft.withMetrics(metrics(e)));
      if (previous != null) {
        TempDirectory.deleteRecursively(previous);
      }
      previous = target;
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot write checkpoint " + target, ex);
    }
  }

  /** The epoch's figures; R@1 and mAP are absent (NaN) when training runs without evaluation. */
  static Map<String, Double> metrics(EpochStats e) {
    Map<String, Double> m = new TreeMap<>();
    m.put("loss", e.meanLoss());
    if (!Double.isNaN(e.recallAt1())) {
      m.put("r_at_1", e.recallAt1());
      m.put("map", e.meanAveragePrecision());
    }
    return m;
  }

  /** Removes the checkpoints once the final model is written. */
  void pruneAll() throws IOException {
    TempDirectory.deleteRecursively(dir);
  }
}
