package io.advrank.cli;

import io.advrank.core.attack.AttackProfile;
import io.advrank.core.attack.Epsilons;
import io.advrank.core.attack.PgdSchedule;
import io.advrank.core.attack.RobrankScores;
import io.advrank.core.attack.RobrankSuite;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code advrank table --suite robrank}'s report: each of robrank's ten figures clean and attacked,
 * rescaled as ERS averages them, and the ERS, as text or as a JSON map.
 */
final class RobrankTable {
  /** Unit of each figure, in {@link RobrankScores#NAMES} order. */
  private static final List<String> UNITS =
      List.of(
          "rank %",
          "rank %",
          "rank %",
          "rank %",
          "cosine",
          "cos dist",
          "R@1 %",
          "R@1 %",
          "R@1 %",
          "retain@4 %");

  private final RobrankSuite.Result result;
  private final String modelDir;
  private final String version;
  private final double recallAt1;
  private final int gallery;
  private final String images;
  private final long seed;

  RobrankTable(
      RobrankSuite.Result result,
      String modelDir,
      String version,
      double recallAt1,
      int gallery,
      String images,
      long seed) {
    this.result = result;
    this.modelDir = modelDir;
    this.version = version;
    this.recallAt1 = recallAt1;
    this.gallery = gallery;
    this.images = images;
    this.seed = seed;
  }

  /** The whole text report: a header, one line per figure, the ERS and the time taken. */
  String report() {
    return String.format(
            Locale.ROOT,
            "robrank's attack suite (%s): model %s (version %s, R@1 %.4f)%n"
                + "gallery: %d %s images; %d attacked per attack; seed %d%n",
            schedule(),
            modelDir,
            version,
            recallAt1,
            gallery,
            images,
            result.count(),
            seed)
        + text()
        + String.format(
            Locale.ROOT,
            "(%d attacks in %.0f s; largest L-inf %.5f)%n",
            RobrankSuite.ATTACKS.size(),
            result.seconds(),
            result.maxLinf());
  }

  String text() {
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            Locale.ROOT,
            "%-6s %-11s %9s %9s %9s%n",
            "attack",
            "figure",
            "clean",
            "attacked",
            "rescaled"));
    double[] clean = result.clean().raw();
    double[] after = result.attacked().raw();
    double[] rescaled = result.attacked().normalised();
    for (int i = 0; i < clean.length; i++) {
      String fmt = i == 4 || i == 5 ? "%9.3f" : "%9.1f";
      s.append(
          String.format(
              Locale.ROOT,
              "%-6s %-11s " + fmt + " " + fmt + " %9.1f%n",
              RobrankScores.NAMES.get(i),
              UNITS.get(i),
              clean[i],
              after[i],
              rescaled[i]));
    }
    s.append(
        String.format(
            Locale.ROOT,
            "%-6s %-11s %9.1f %9.1f%n",
            "ERS",
            "mean",
            result.clean().ers(),
            result.attacked().ers()));
    return s.toString();
  }

  /** The header line: profile, ε, α and iterations. */
  String schedule() {
    AttackProfile p = result.profile();
    PgdSchedule s = p.schedule(result.epsilon());
    return String.format(
        Locale.ROOT,
        "%s: eps %s, alpha %s, %d iterations",
        p.label(),
        Epsilons.format(result.epsilon()),
        Epsilons.format(s.alpha()),
        s.iterations());
  }

  Map<String, Object> json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("suite", "robrank");
    m.put("model", modelDir);
    m.put("version", version);
    m.put("r_at_1", recallAt1);
    m.put("gallery", gallery);
    m.put("images", images);
    m.put("seed", seed);
    m.put("profile", result.profile().label());
    m.put("epsilon", result.epsilon());
    m.put("alpha", result.profile().schedule(result.epsilon()).alpha());
    m.put("iterations", result.profile().schedule(result.epsilon()).iterations());
    m.put("attacked_per_attack", result.count());
    m.put("clean", result.clean().asMap());
    m.put("attacked", result.attacked().asMap());
    Map<String, Double> rescaled = new LinkedHashMap<>();
    double[] n = result.attacked().normalised();
    for (int i = 0; i < n.length; i++) {
      rescaled.put(RobrankScores.NAMES.get(i), n[i]);
    }
    m.put("rescaled", rescaled);
    m.put("ers", result.attacked().ers());
    m.put("ers_clean", result.clean().ers());
    m.put("max_linf", result.maxLinf());
    m.put("seconds", result.seconds());
    return m;
  }
}
