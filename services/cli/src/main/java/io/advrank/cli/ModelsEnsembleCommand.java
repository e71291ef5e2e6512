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
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code advrank models ensemble M1 M2 [M…] --out OUT}: native models joined into one model whose
 * embedding is theirs side by side over √k, so it ranks by the mean of their cosine similarities;
 * e.g. two lineages of one recipe, whose weights do not average. The manifest names every member;
 * metrics and detector thresholds are left out, since the ensemble is a new function.
 */
@Command(
    name = "ensemble",
    mixinStandardHelpOptions = true,
    description = {
      "Join two or more native models (c2f1, rc2f2, at any widths) into one ensemble model: its"
          + " embedding is the members' side by side, so it ranks by the mean of their cosine"
          + " similarities; attacks and training see one network. Costs the members' forward"
          + " passes together.",
      "The manifest names the members; it has no metrics or detector thresholds: run advrank"
          + " eval and advrank models calibrate on OUT.",
      "Example: advrank models ensemble runs/lineage-0 runs/lineage-1 --out runs/ensemble"
    })
final class ModelsEnsembleCommand implements Callable<Integer> {
  @Mixin OutputOptions output;

  @Parameters(
      index = "0..*",
      arity = "2..*",
      paramLabel = "DIR",
      description = "Two or more native model directories, for one input shape.")
  List<Path> dirs;

  @Mixin NativeOutOptions target;

  @Override
  public Integer call() throws ModelException, IOException {
    target.requireFree();
    List<EmbeddingModel> members = new ArrayList<>();
    List<Map<String, Object>> rows = new ArrayList<>();
    ModelManifest written;
    String described;
    try {
      for (Path dir : dirs) {
        members.add(EmbeddingModel.load(dir, Device.cpu()));
      }
      try (EmbeddingModel ensemble = EmbeddingModel.ensemble(members)) {
        Map<String, String> training = new LinkedHashMap<>();
        StringBuilder command = new StringBuilder("advrank models ensemble");
        dirs.forEach(d -> command.append(' ').append(d));
        training.put("command", command.append(" --out ").append(target.out).toString());
        for (int i = 0; i < members.size(); i++) {
          EmbeddingModel m = members.get(i);
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("dir", dirs.get(i).toString());
          row.put("version", m.version());
          row.put("model", m.describe());
          rows.add(row);
          training.put(
              "member_" + (i + 1),
              String.format(
                  Locale.ROOT,
                  "%s (%s), %s; trained by: %s",
                  m.version(),
                  dirs.get(i),
                  m.describe(),
                  m.trainingInfo().getOrDefault("command", "(not recorded)")));
        }
        written = target.saveMade(ensemble, members.get(0).version(), training);
        described = ensemble.describe();
      }
    } finally {
      members.forEach(EmbeddingModel::close);
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("dir", target.out.toString());
    json.put("version", written.version());
    json.put("spec", written.spec());
    json.put("model", described);
    json.put("weights_dtype", written.weightsDtype());
    json.put("members", rows);
    output.print(
        json,
        () -> {
          StringBuilder text =
              new StringBuilder(
                  String.format(
                      Locale.ROOT,
                      "joined %d models into %s as %s: %s, %s weights%n",
                      rows.size(),
                      target.out,
                      written.version(),
                      described,
                      written.weightsDtype()));
          for (Map<String, Object> row : rows) {
            text.append(
                String.format(
                    Locale.ROOT,
                    "  %-40s %s  %s%n",
                    row.get("dir"),
                    row.get("version"),
                    row.get("model")));
          }
          return text.append(target.nextSteps()).toString();
        });
    return 0;
  }
}
