package io.advrank.cli;

import ai.djl.Device;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelException;
import io.advrank.core.model.ModelManifest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.DoubleStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code advrank models average M1 M2 [M…] [--weights W,W…] --out OUT}: the average of native
 * models' weights (a model soup), e.g. the last fine-tuning step of a recipe run under several
 * seeds from one checkpoint; uniform, or weighted to pick a point of the line between a model and
 * its fine-tune. The manifest names every member and its share; metrics and detector thresholds are
 * left out, since the average is a new function: evaluate and calibrate it.
 */
@Command(
    name = "average",
    mixinStandardHelpOptions = true,
    description = {
      "Average the weights of two or more native models of one architecture and shape, value by"
          + " value (a model soup): useful for fine-tunes of one checkpoint under other seeds,"
          + " which lie in one basin. Prints how far each member lies from the average.",
      "The manifest names the members; it has no metrics or detector thresholds: run advrank"
          + " eval and advrank models calibrate on OUT.",
      "Example: advrank models average runs/est-seed0 runs/est-seed1 runs/est-seed2 --out"
          + " runs/est-soup",
      "Between a model and its fine-tune, --weights picks the point of the line through them"
          + " (WiSE-FT): advrank models average runs/act runs/act-est --weights 0.4,0.6 --out"
          + " runs/mix"
    })
final class ModelsAverageCommand implements Callable<Integer> {
  @Mixin OutputOptions output;

  @Parameters(
      index = "0..*",
      arity = "2..*",
      paramLabel = "DIR",
      description = "Two or more native model directories.")
  List<Path> dirs;

  @Option(
      names = "--weights",
      split = ",",
      paramLabel = "W",
      description =
          "One weight per DIR, in order, each >= 0; each member's share is its weight over their"
              + " sum (default: equal shares).")
  List<Double> weights;

  @Mixin NativeOutOptions target;

  @Override
  public Integer call() throws ModelException, IOException {
    double[] shares = shares();
    target.requireFree();
    List<EmbeddingModel> members = new ArrayList<>();
    List<Map<String, Object>> rows = new ArrayList<>();
    ModelManifest written;
    try {
      for (Path dir : dirs) {
        members.add(EmbeddingModel.load(dir, Device.cpu()));
      }
      try (EmbeddingModel soup = EmbeddingModel.average(members, shares)) {
        Map<String, String> training = new LinkedHashMap<>();
        StringBuilder command = new StringBuilder("advrank models average");
        dirs.forEach(d -> command.append(' ').append(d));
        if (weights != null) {
          command.append(" --weights ");
          command.append(String.join(",", weights.stream().map(w -> Double.toString(w)).toList()));
        }
        training.put("command", command.append(" --out ").append(target.out).toString());
        for (int i = 0; i < members.size(); i++) {
          EmbeddingModel m = members.get(i);
          double distance = m.relativeDistance(soup);
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("dir", dirs.get(i).toString());
          row.put("version", m.version());
          row.put("share", shares[i]);
          row.put("relative_distance", distance);
          rows.add(row);
          training.put(
              "member_" + (i + 1),
              String.format(
                  Locale.ROOT,
                  "%s (%s), share %.4g, %.3g of the average's weight norm from it; trained by:"
                      + " %s",
                  m.version(),
                  dirs.get(i),
                  shares[i],
                  distance,
                  m.trainingInfo().getOrDefault("command", "(not recorded)")));
        }
        written = target.saveMade(soup, members.get(0).version(), training);
      }
    } finally {
      members.forEach(EmbeddingModel::close);
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("dir", target.out.toString());
    json.put("version", written.version());
    json.put("spec", written.spec());
    json.put("weights_dtype", written.weightsDtype());
    json.put("members", rows);
    output.print(
        json,
        () -> {
          StringBuilder text =
              new StringBuilder(
                  String.format(
                      Locale.ROOT,
                      "averaged %d models into %s as %s: %s, %s weights%n",
                      rows.size(),
                      target.out,
                      written.version(),
                      written.spec().describe(),
                      written.weightsDtype()));
          for (Map<String, Object> row : rows) {
            text.append(
                String.format(
                    Locale.ROOT,
                    "  %-40s %s  share %.3g, %.3g of the weight norm from the average%n",
                    row.get("dir"),
                    row.get("version"),
                    (Double) row.get("share"),
                    (Double) row.get("relative_distance")));
          }
          return text.append(target.nextSteps()).toString();
        });
    return 0;
  }

  /** Each member's share of the average: --weights over their sum, or equal shares. */
  private double[] shares() {
    double[] raw =
        weights == null
            ? DoubleStream.generate(() -> 1).limit(dirs.size()).toArray()
            : weights.stream().mapToDouble(Double::doubleValue).toArray();
    return EmbeddingModel.shares(raw, dirs.size(), "--weights");
  }
}
