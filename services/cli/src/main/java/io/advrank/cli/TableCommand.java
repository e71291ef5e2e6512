package io.advrank.cli;

import io.advrank.core.attack.AttackEvaluation;
import io.advrank.core.attack.AttackProfile;
import io.advrank.core.attack.AttackSpec;
import io.advrank.core.attack.RobrankSuite;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.ranking.RetrievalMetrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code advrank table}: the paper's attack table for one model — rows ε (0 = clean), column groups
 * CA+, CA-, QA+, QA- (QA columns are SP-QA±) with w or m = 1, 2, 5, 10; cells are mean rank
 * percentiles (%) over the attacked test items, the whole test set being the gallery. With {@code
 * --suite robrank}: robrank's attack suite instead (CA±, QA±, TMA, ES, LTM, GTM, GTT at one budget)
 * and its robustness score ERS ({@link RobrankSuite}).
 */
@Command(
    name = "table",
    mixinStandardHelpOptions = true,
    description =
        "Print the paper's table of rank percentiles (%%) under CA+, CA-, QA+ and QA- (SP "
            + "variants) for several epsilons and query/candidate set sizes, or with --suite "
            + "robrank robrank's attack suite and its ERS. Progress goes to stderr.")
final class TableCommand implements Callable<Integer> {
  @Mixin DataOptions data;
  @Mixin ModelOptions modelOptions;
  @Mixin OutputOptions output;

  @Mixin ProfileOption profile;

  @Option(
      names = "--suite",
      defaultValue = "paper",
      description =
          "paper (the paper's table) or robrank (robrank's CA+, CA-, QA+, QA-, TMA, ES, LTM, GTM,"
              + " GTT and ERS at its budget: rob28 for images up to 64 px, else rob224, or the"
              + " --profile given; --eps and --sizes do not apply) (default: ${DEFAULT-VALUE}).")
  String suite;

  @Option(
      names = "--eps",
      split = ",",
      converter = EpsilonConverter.class,
      description =
          "Epsilons, each in (0, 1], as 0.03 or 8/255 (default: the profile's, 0.01,0.03,0.1,0.3"
              + " or 2/255,4/255,8/255,16/255); 0 is always added.")
  Double[] eps;

  private double[] epsilons;

  @Option(
      names = "--sizes",
      split = ",",
      defaultValue = "1,2,5,10",
      description = "w (CA) and m (QA) values (default: ${DEFAULT-VALUE}).")
  int[] sizes;

  @Option(names = "--limit", description = "Attack the first N test items per cell (default: all).")
  Integer limit;

  @Option(
      names = "--batch-size",
      defaultValue = "256",
      description = "Items per PGD run (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description =
          "Seed of target sampling, and of the split with --split validation (default:"
              + " ${DEFAULT-VALUE}).")
  long seed;

  @Mixin SplitOptions split;

  @Override
  public Integer call() throws Exception {
    String which = suite.trim().toLowerCase(Locale.ROOT);
    if (which.equals("robrank")) {
      return robrank();
    }
    if (!which.equals("paper")) {
      throw new IllegalArgumentException(
          "--suite: unknown '" + suite + "' (accepted: paper, robrank)");
    }
    epsilons =
        eps != null
            ? Arrays.stream(eps).mapToDouble(Double::doubleValue).toArray()
            : profile.get().tableEpsilons();
    List<AttackSpec> specs = specs(); // validates ε and sizes before any work
    ImageDataset test = images();
    int n = AttackTableRows.checkLimit(limit, test.size());
    AttackTableRows table = new AttackTableRows(epsilons, sizes);
    List<AttackEvaluation.Summary> summaries = new ArrayList<>();
    long t0 = System.nanoTime();
    try (EmbeddingModel model = modelOptions.open(test);
        AttackEvaluation evaluation = AttackEvaluation.of(model, test)) {
      specs.forEach(evaluation::check);
      RetrievalMetrics.Result r = evaluation.retrieval();
      try (AttackProgress progress =
          new AttackProgress(output.quietProgress(), "table", (long) n * specs.size())) {
        for (AttackSpec spec : specs) {
          progress.startRun(spec.describe());
          AttackEvaluation.Summary s = evaluation.run(spec, n, batchSize, progress::update);
          summaries.add(s);
          table.put(
              indexOf(epsilons, spec.epsilon()),
              groupOf(spec),
              indexOf(sizes, spec.size()),
              s.rankBefore(),
              s.rankAfter());
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      print(model, evaluation.gallerySize(), n, r, table, summaries, seconds);
    }
    return 0;
  }

  private int robrank() throws Exception {
    if (eps != null) {
      throw new IllegalArgumentException(
          "--eps: not used by --suite robrank (its budget is the profile's: rob28 77/255, rob224"
              + " 8/255)");
    }
    ImageDataset test = images();
    int n = AttackTableRows.checkLimit(limit, test.size());
    AttackProfile p =
        profile.get() == AttackProfile.PAPER
            ? RobrankSuite.profileFor(modelOptions.spec())
            : profile.get();
    try (EmbeddingModel model = modelOptions.open(test);
        RobrankSuite robrank = RobrankSuite.of(model, test, p)) {
      double r1 = robrank.recallAt1();
      RobrankSuite.Result result;
      try (AttackProgress progress =
          new AttackProgress(
              output.quietProgress(), "robrank", (long) n * RobrankSuite.ATTACKS.size())) {
        result = robrank.run(n, batchSize, seed, progressOf(progress));
      }
      RobrankTable table =
          new RobrankTable(
              result,
              modelOptions.dir.toString(),
              model.version(),
              r1,
              robrank.gallerySize(),
              split.label(seed),
              seed);
      output.print(table.json(), table::report);
    }
    return 0;
  }

  /** The images attacked and ranked: the test split or the validation hold-out. */
  private ImageDataset images() throws Exception {
    return split.heldOut()
        ? split.validationImages(data, modelOptions.spec(), seed)
        : data.load(DatasetDirectory.Split.TEST, 0, null, modelOptions.spec());
  }

  private static RobrankSuite.Progress progressOf(AttackProgress progress) {
    return new RobrankSuite.Progress() {
      @Override
      public void start(String attack) {
        progress.startRun(attack);
      }

      @Override
      public void done(int items) {
        progress.update(items);
      }
    };
  }

  private List<AttackSpec> specs() {
    List<AttackSpec> specs = new ArrayList<>();
    for (double e : epsilons) {
      for (var group : AttackTableRows.GROUPS) {
        for (int size : sizes) {
          specs.add(new AttackSpec(group, e, size, seed, profile.get()));
        }
      }
    }
    return specs;
  }

  private void print(
      EmbeddingModel model,
      int gallery,
      int n,
      RetrievalMetrics.Result r,
      AttackTableRows table,
      List<AttackEvaluation.Summary> summaries,
      double seconds) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("model", modelOptions.dir.toString());
    json.put("version", model.version());
    json.put("r_at_1", r.recallAt1());
    json.put("map", r.meanAveragePrecision());
    json.put("gallery", gallery);
    json.put("images", split.label(seed));
    json.put("attacked_per_cell", n);
    json.put("rows", table.json());
    json.put("cells", summaries);
    json.put("seconds", seconds);
    output.print(
        json,
        () ->
            String.format(
                    "Rank percentile (%%) under attack: model %s (version %s, R@1 %.4f, mAP %.4f)%n"
                        + "gallery: %d %s images; %d attacked per cell; seed %d%n",
                    modelOptions.dir,
                    model.version(),
                    r.recallAt1(),
                    r.meanAveragePrecision(),
                    gallery,
                    split.label(seed),
                    n,
                    seed)
                + table.text()
                + String.format("(%d cells in %.0f s)%n", summaries.size(), seconds));
  }

  private static int groupOf(AttackSpec spec) {
    for (int g = 0; g < AttackTableRows.GROUPS.length; g++) {
      if (AttackTableRows.GROUPS[g] == spec.type()) {
        return g;
      }
    }
    throw new IllegalStateException("not a table column: " + spec.type());
  }

  private static int indexOf(double[] values, double v) {
    for (int i = 0; i < values.length; i++) {
      if (values[i] == v) {
        return i;
      }
    }
    throw new IllegalStateException("not in the table: " + v);
  }

  private static int indexOf(int[] values, int v) {
    for (int i = 0; i < values.length; i++) {
      if (values[i] == v) {
        return i;
      }
    }
    throw new IllegalStateException("not in the table: " + v);
  }
}
