package io.advrank.cli;

import io.advrank.core.data.DataException;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.core.model.ModelException;
import io.advrank.core.ranking.RetrievalMetrics;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code advrank eval}: leave-one-out R@1 and mAP of a model on a test set. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description =
        "Evaluate a model: leave-one-out R@1 and mAP over the test split, or over the validation"
            + " images train --validation held out.")
final class EvalCommand implements Callable<Integer> {
  @Mixin DataOptions data;
  @Mixin ModelOptions modelOptions;
  @Mixin OutputOptions output;

  @Option(
      names = "--skip",
      defaultValue = "0",
      description =
          "Leave out the first N test images, e.g. --skip 2000 to measure a version the demo's"
              + " defense-trainer published on images it never trained on (the demo's catalog is"
              + " the first --catalog-limit test images, 2000 by default) (default: 0).")
  int skip;

  @Option(
      names = "--limit",
      description = "Use the first N images (after --skip) only (default: all).")
  Integer limit;

  @Mixin SplitOptions split;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description =
          "With --split validation: the seed train drew the hold-out with (default:"
              + " ${DEFAULT-VALUE}).")
  long seed;

  private ImageDataset images() throws DataException, ModelException {
    if (!split.heldOut()) {
      return data.load(DatasetDirectory.Split.TEST, skip, limit, modelOptions.spec());
    }
    if (skip != 0) {
      throw new IllegalArgumentException("--skip: applies to the test split only");
    }
    ImageDataset held = split.validationImages(data, modelOptions.spec(), seed);
    return limit != null && limit < held.size() ? held.head(limit) : held;
  }

  @Override
  public Integer call() throws Exception {
    ImageDataset test = images();
    try (EmbeddingModel model = modelOptions.open(test)) {
      long t0 = System.nanoTime();
      Embeddings e = model.embed(test);
      double embedSeconds = (System.nanoTime() - t0) / 1e9;
      RetrievalMetrics.Result r = RetrievalMetrics.leaveOneOut(e, test.labels());
      double totalSeconds = (System.nanoTime() - t0) / 1e9;
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("model", modelOptions.dir.toString());
      json.put("version", model.version());
      json.put("data", test.name());
      json.put("images", test.size());
      json.put("r_at_1", r.recallAt1());
      json.put("map", r.meanAveragePrecision());
      json.put("embed_seconds", embedSeconds);
      json.put("total_seconds", totalSeconds);
      output.print(
          json,
          () ->
              String.format(
                  "model %s (version %s) on %s, %d images%n"
                      + "R@1  %.4f%nmAP  %.4f%n"
                      + "time %.1f s (embedding %.1f s, %.0f images/s)%n",
                  modelOptions.dir,
                  model.version(),
                  test.name(),
                  test.size(),
                  r.recallAt1(),
                  r.meanAveragePrecision(),
                  totalSeconds,
                  embedSeconds,
                  test.size() / embedSeconds));
    }
    return 0;
  }
}
