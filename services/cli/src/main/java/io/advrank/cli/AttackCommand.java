package io.advrank.cli;

import io.advrank.core.attack.AttackEvaluation;
import io.advrank.core.attack.AttackProfile;
import io.advrank.core.attack.AttackSpec;
import io.advrank.core.attack.AttackType;
import io.advrank.core.attack.PixelDepth;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.EmbeddingModel;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code advrank attack}: runs one attack of the paper over the test set (the gallery is the whole
 * test set; every attacked item is attacked once) and prints the mean rank percentile before and
 * after, the success rate and the time taken.
 */
@Command(
    name = "attack",
    mixinStandardHelpOptions = true,
    description =
        "Attack a model's ranking with CA+, CA-, QA+, QA-, SP-QA+, SP-QA- or ES (ECCV 2020) "
            + "and print the mean rank percentile (%%) before and after. The gallery is the whole "
            + "test split (less the first --skip images).")
final class AttackCommand implements Callable<Integer> {
  @Mixin DataOptions data;
  @Mixin ModelOptions modelOptions;
  @Mixin OutputOptions output;

  @Option(
      names = "--type",
      required = true,
      description = "CA+, CA-, QA+, QA-, SP-QA+, SP-QA-, ES.")
  String type;

  @Mixin ProfileOption profile;

  @Option(
      names = "--eps",
      converter = EpsilonConverter.class,
      description =
          "L-infinity budget in (0, 1], as 0.03 or 8/255 (default: the profile's, 0.3 or"
              + " 8/255).")
  Double eps;

  @Option(
      names = "--size",
      defaultValue = "1",
      description = "Queries per candidate (w, CA) or candidates per query (m, QA) (default: 1).")
  int size;

  @Option(
      names = "--skip",
      defaultValue = "0",
      description =
          "Leave out the first N test images, from the gallery and the attacked items, e.g."
              + " --skip 2000 to measure a version the demo's defense-trainer published on images"
              + " it never trained on (the demo's catalog is the first --catalog-limit test"
              + " images, 2000 by default) (default: 0).")
  int skip;

  @Option(
      names = "--limit",
      description = "Attack the first N test items (after --skip) only (default: all).")
  Integer limit;

  @Option(
      names = "--batch-size",
      defaultValue = "256",
      description = "Items per PGD run (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(
      names = "--pixels",
      defaultValue = "float32",
      description =
          "How the adversarial images are delivered and measured: float32 (PGD's output, the"
              + " paper's protocol) or uint8 (quantised to 8 bits inside the eps-ball, as the"
              + " attack-worker delivers them; the float figure is printed beside)"
              + " (default: ${DEFAULT-VALUE}).")
  String pixels;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Seed of target sampling (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    AttackProfile p = profile.get();
    double epsilon = eps != null ? eps : p.defaultEpsilon();
    AttackSpec spec = new AttackSpec(AttackType.parse(type), epsilon, size, seed, p);
    PixelDepth depth = depth(pixels);
    ImageDataset test = data.load(DatasetDirectory.Split.TEST, skip, null, modelOptions.spec());
    int n = AttackTableRows.checkLimit(limit, test.size());
    try (EmbeddingModel model = modelOptions.open(test);
        AttackEvaluation evaluation = checked(AttackEvaluation.of(model, test), spec);
        AttackProgress progress = new AttackProgress(output.quietProgress(), "attack", n)) {
      progress.startRun(spec.describe());
      AttackEvaluation.Summary s = evaluation.run(spec, n, batchSize, depth, progress::update);
      progress.close();
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("model", modelOptions.dir.toString());
      json.put("version", model.version());
      json.put("gallery", evaluation.gallerySize());
      json.put("attack", spec.type().label());
      json.put("epsilon", epsilon);
      json.put("profile", p.label());
      json.put("size", size);
      json.put("pixels", depth.name().toLowerCase(Locale.ROOT));
      json.put("pgd", spec.schedule());
      json.put("summary", s);
      json.put("attacks_per_second", s.attacksPerSecond());
      output.print(json, () -> text(spec, s, evaluation.gallerySize(), model.version()));
    }
    return 0;
  }

  private static PixelDepth depth(String text) {
    try {
      return PixelDepth.valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--pixels: expected float32 or uint8, got '" + text + "'");
    }
  }

  /** The evaluation, after checking that {@code spec} fits its gallery (closed if not). */
  private static AttackEvaluation checked(AttackEvaluation evaluation, AttackSpec spec) {
    try {
      evaluation.check(spec);
      return evaluation;
    } catch (IllegalArgumentException e) {
      evaluation.close();
      throw e;
    }
  }

  private static String text(AttackSpec spec, AttackEvaluation.Summary s, int gallery, String v) {
    var pgd = spec.schedule();
    return String.format(
        "%s on model %s: %d items attacked, gallery %d test images%n"
            + "PGD: eps %.4f, alpha %.4f, %d iterations%n"
            + "rank percentile before  %6.2f %%%n"
            + "rank percentile after   %6.2f %%%s%n"
            + "success rate            %6.3f%n"
            + "mean embedding shift    %6.4f%n"
            + "max L-inf               %6.4f%n"
            + "time %.1f s (%.1f attacks/s, %.0f image-steps/s)%n",
        spec.describe(),
        v,
        s.count(),
        gallery,
        pgd.epsilon(),
        pgd.alpha(),
        pgd.iterations(),
        s.rankBefore(),
        s.rankAfter(),
        s.depth() == PixelDepth.UINT8
            ? String.format(" (8-bit; PGD's float output %.2f %%)", s.rankAfterFloat())
            : "",
        s.successRate(),
        s.meanShift(),
        s.maxLinf(),
        s.seconds(),
        s.attacksPerSecond(),
        s.attacksPerSecond() * pgd.iterations());
  }
}
