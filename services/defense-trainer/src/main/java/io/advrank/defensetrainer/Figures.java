package io.advrank.defensetrainer;

import io.advrank.core.attack.AttackEvaluation;
import io.advrank.core.attack.AttackSpec;
import io.advrank.core.attack.AttackType;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.EmbeddingModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How good and how robust one model is, on the frozen held-out set: leave-one-out R@1, and the rank
 * percentile (%) after CA+ (w = 1) and SP-QA+ (m = 1) at ε 0.1 and 0.3 on the fixed probe set (the
 * first items of the held-out set, its whole as gallery). For these "+" attacks a higher percentile
 * after the attack means a more robust model (vanilla C2F1: CA+ ε 0.3 ≈ 2%, clean ≈ 50%); {@code
 * robustness} is their mean.
 *
 * @param values figure name → value; names are {@link #R_AT_1}, {@link #ROBUSTNESS} and one per
 *     probe attack, e.g. {@code ca_plus_eps0.3}
 */
record Figures(Map<String, Double> values) {
  static final String R_AT_1 = "r_at_1";
  static final String ROBUSTNESS = "robustness";

  /** The probe attacks, with a fixed seed so that parent and candidate face the same targets. */
  static final List<AttackSpec> PROBES =
      List.of(
          new AttackSpec(AttackType.CA_PLUS, 0.1, 1, 17),
          new AttackSpec(AttackType.CA_PLUS, 0.3, 1, 17),
          new AttackSpec(AttackType.SP_QA_PLUS, 0.1, 1, 17),
          new AttackSpec(AttackType.SP_QA_PLUS, 0.3, 1, 17));

  Figures {
    values = Map.copyOf(values);
  }

  /** Measures {@code model} on {@code heldOut}, attacking its first {@code probeItems} items. */
  static Figures measure(EmbeddingModel model, ImageDataset heldOut, int probeItems) {
    Map<String, Double> v = new LinkedHashMap<>();
    int probes = Math.min(probeItems, heldOut.size());
    try (AttackEvaluation eval = AttackEvaluation.of(model, heldOut)) {
      v.put(R_AT_1, eval.retrieval().recallAt1());
      double sum = 0;
      for (AttackSpec spec : PROBES) {
        double after = eval.run(spec, probes, probes, done -> {}).rankAfter();
        v.put(name(spec), after);
        sum += after;
      }
      v.put(ROBUSTNESS, sum / PROBES.size());
    }
    return new Figures(v);
  }

  /** e.g. {@code ca_plus_eps0.3}, {@code sp_qa_plus_eps0.1}. */
  static String name(AttackSpec spec) {
    String type = spec.type() == AttackType.CA_PLUS ? "ca_plus" : "sp_qa_plus";
    return type + "_eps" + spec.epsilon();
  }

  double recallAt1() {
    return values.get(R_AT_1);
  }

  double robustness() {
    return values.get(ROBUSTNESS);
  }
}
