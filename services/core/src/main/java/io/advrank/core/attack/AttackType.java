package io.advrank.core.attack;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The paper's attack family (Zhou et al., ECCV 2020, docs/method.md). Candidate attacks (CA±)
 * perturb a gallery item c against a query set Q; query attacks (QA±, SP-QA±) perturb a query q
 * against a candidate set C; ES shifts an embedding as far as possible and is the defense's inner
 * attack.
 */
public enum AttackType {
  /** Raise candidate c for w uniformly drawn queries. */
  CA_PLUS("CA+", Role.CANDIDATE, true, false),
  /** Lower candidate c for w queries drawn from its top-1% neighbours. */
  CA_MINUS("CA-", Role.CANDIDATE, false, false),
  /** Raise m uniformly drawn candidates by perturbing query q. */
  QA_PLUS("QA+", Role.QUERY, true, false),
  /** Lower m candidates drawn from q's top-1% neighbours by perturbing q. */
  QA_MINUS("QA-", Role.QUERY, false, false),
  /** QA+ that also keeps q's original top-5 in place (ξ = 1). */
  SP_QA_PLUS("SP-QA+", Role.QUERY, true, true),
  /** QA- that also keeps q's original top-5 in place (ξ = 100). */
  SP_QA_MINUS("SP-QA-", Role.QUERY, false, true),
  /** Untargeted: maximise the embedding shift d(f(x̃), f(x)). */
  ES("ES", Role.SHIFT, false, false);

  /** What the perturbed image plays in the ranking. */
  public enum Role {
    CANDIDATE,
    QUERY,
    SHIFT
  }

  private final String label;
  private final Role role;
  private final boolean raises;
  private final boolean semanticsPreserving;

  AttackType(String label, Role role, boolean raises, boolean semanticsPreserving) {
    this.label = label;
    this.role = role;
    this.raises = raises;
    this.semanticsPreserving = semanticsPreserving;
  }

  /** Parses a label such as {@code CA+} or {@code sp-qa-} (case-insensitive). */
  public static AttackType parse(String text) {
    for (AttackType t : values()) {
      if (t.label.equalsIgnoreCase(text == null ? "" : text.trim())) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown attack type '" + text + "' (accepted: " + accepted() + ")");
  }

  /** All labels, comma-separated, for help texts and error messages. */
  public static String accepted() {
    return Arrays.stream(values()).map(AttackType::label).collect(Collectors.joining(", "));
  }

  /** The paper's name, e.g. {@code SP-QA+}. */
  public String label() {
    return label;
  }

  public Role role() {
    return role;
  }

  /** True when the attack moves its targets up the ranking (CA+, QA+, SP-QA+). */
  public boolean raises() {
    return raises;
  }

  /** True for SP-QA±, which add ξ·L_QA+(q̃, C_SP) to keep q's original top-5. */
  public boolean semanticsPreserving() {
    return semanticsPreserving;
  }

  /** True when targets come from the attacked item's top-1% neighbours (CA-, QA-, SP-QA-). */
  public boolean targetsNeighbours() {
    return role != Role.SHIFT && !raises;
  }

  /** ξ of SP-QA±: 1 for SP-QA+, 100 for SP-QA- (docs/method.md); 0 otherwise. */
  public float xi() {
    if (!semanticsPreserving) {
      return 0f;
    }
    return raises ? 1f : 100f;
  }

  @Override
  public String toString() {
    return label;
  }
}
