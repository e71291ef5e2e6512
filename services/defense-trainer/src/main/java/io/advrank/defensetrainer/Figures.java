package io.advrank.defensetrainer;

import io.advrank.core.attack.AttackEvaluation;
import io.advrank.core.attack.AttackProfile;
import io.advrank.core.attack.AttackSpec;
import io.advrank.core.attack.AttackType;
import io.advrank.core.attack.Epsilons;
import io.advrank.core.attack.RobrankSuite;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.EmbeddingModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * How good and how robust one model is, on the frozen held-out set: leave-one-out R@1, and the rank
 * percentile (%) after CA+ (w = 1) and SP-QA+ (m = 1) at two budgets ({@link #probes}) on the fixed
 * probe set (the first items of the held-out set, its whole as gallery). For these "+" attacks a
 * higher percentile after the attack means a more robust model (vanilla C2F1: CA+ ε 0.3 ≈ 2%, clean
 * ≈ 50%); {@code robustness} is their mean. When the gate judges by ERS, {@code ers} is robrank's
 * empirical robustness score of the whole robrank suite ({@link RobrankSuite}: CA±, QA±, TMA, ES,
 * LTM, GTM, GTT at robrank's budget for the model's input size) on the same probe items.
 *
 * @param values figure name → value; names are {@link #R_AT_1}, {@link #ROBUSTNESS} and one per
 *     probe attack, e.g. {@code ca_plus_eps0.3}
 */
record Figures(Map<String, Double> values) {
  static final String R_AT_1 = "r_at_1";
  static final String ROBUSTNESS = "robustness";
  static final String ERS = "ers";

  /** Seed of the probe targets, the same for parent and candidate. */
  private static final long PROBE_SEED = 17;

  /**
   * The probe attacks of {@code profile}, with a fixed seed so that parent and candidate face the
   * same targets: CA+ and SP-QA+ at the paper's ε 0.1 and 0.3 (28-px images, under the paper's or
   * robrank's rob28 schedule), or under rob224 (α 1/255, 32 iterations) at ε 4/255 and 8/255, the
   * budgets 224-px photo models are judged at.
   */
  static List<AttackSpec> probes(AttackProfile profile) {
    double[] eps =
        profile == AttackProfile.ROB224
            ? new double[] {4 / 255.0, 8 / 255.0}
            : new double[] {0.1, 0.3};
    List<AttackSpec> out = new ArrayList<>();
    for (AttackType type : List.of(AttackType.CA_PLUS, AttackType.SP_QA_PLUS)) {
      for (double e : eps) {
        out.add(new AttackSpec(type, e, 1, PROBE_SEED, profile));
      }
    }
    return List.copyOf(out);
  }

  Figures {
    values = Map.copyOf(values);
  }

  /** Measures {@code model} on {@code heldOut}, attacking its first {@code probeItems} items. */
  static Figures measure(
      EmbeddingModel model, ImageDataset heldOut, int probeItems, AttackProfile profile) {
    return measure(model, heldOut, probeItems, profile, false, () -> false);
  }

  /**
   * As {@link #measure(EmbeddingModel, ImageDataset, int, AttackProfile)}; with {@code ers} also
   * robrank's ERS over the same probe items. Gives up with {@link Stopped} at the next probe attack
   * once {@code stopping} says so: a whole evaluation took minutes on two busy cores and held up
   * the service's stop past {@code cluster down}'s 30 s.
   */
  static Figures measure(
      EmbeddingModel model,
      ImageDataset heldOut,
      int probeItems,
      AttackProfile profile,
      boolean ers,
      BooleanSupplier stopping) {
    List<AttackSpec> specs = probes(profile);
    Map<String, Double> v = new LinkedHashMap<>();
    int probes = Math.min(probeItems, heldOut.size());
    try (AttackEvaluation eval = AttackEvaluation.of(model, heldOut)) {
      v.put(R_AT_1, eval.retrieval().recallAt1());
      double sum = 0;
      for (AttackSpec spec : specs) {
        if (stopping.getAsBoolean()) {
          throw new Stopped();
        }
        double after = eval.run(spec, probes, probes, done -> {}).rankAfter();
        v.put(name(spec), after);
        sum += after;
      }
      v.put(ROBUSTNESS, sum / specs.size());
    }
    if (ers) {
      if (stopping.getAsBoolean()) {
        throw new Stopped();
      }
      try (RobrankSuite suite =
          RobrankSuite.of(model, heldOut, RobrankSuite.profileFor(model.spec()))) {
        v.put(ERS, suite.run(probes, probes, PROBE_SEED, SILENT).attacked().ers());
      }
    }
    return new Figures(v);
  }

  /** An evaluation given up because the service is stopping. */
  static final class Stopped extends RuntimeException {
    Stopped() {
      super("evaluation stopped: the service is stopping", null, false, false);
    }
  }

  /** e.g. {@code ca_plus_eps0.3}, {@code sp_qa_plus_eps0.1}, {@code ca_plus_eps8/255}. */
  static String name(AttackSpec spec) {
    String type = spec.type() == AttackType.CA_PLUS ? "ca_plus" : "sp_qa_plus";
    return type + "_eps" + Epsilons.format(spec.epsilon());
  }

  private static final RobrankSuite.Progress SILENT =
      new RobrankSuite.Progress() {
        @Override
        public void start(String attack) {}

        @Override
        public void done(int items) {}
      };

  /** ERS; fails when it was not measured (the gate judges by robustness). */
  double ers() {
    Double e = values.get(ERS);
    if (e == null) {
      throw new IllegalStateException("ERS was not measured (gate.metric is robustness)");
    }
    return e;
  }

  double recallAt1() {
    return values.get(R_AT_1);
  }

  double robustness() {
    return values.get(ROBUSTNESS);
  }
}
