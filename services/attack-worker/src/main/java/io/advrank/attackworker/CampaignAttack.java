package io.advrank.attackworker;

import io.advrank.core.attack.AttackProfile;
import io.advrank.core.attack.AttackSpec;
import io.advrank.core.attack.AttackType;
import io.advrank.core.attack.Epsilons;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One line of a {@link Campaign}: which attack to run, with which budget, on what share of the
 * traffic and against which targets.
 *
 * @param type CA± attack catalog items (a malicious seller); QA±/SP-QA± attack queries (a man in
 *     the middle); ES is refused, it moves no ranking
 * @param epsilon L∞ budget ε in (0, 1]
 * @param size w (queries per candidate, CA±) or m (candidates per query, QA±)
 * @param fraction share of the eligible events of its stream to attack, in [0, 1]
 * @param items CA± only: the catalog item ids the seller controls (only those are attacked, e.g.
 *     promote item P with CA+ or demote a competitor's look-alike with CA-); empty = any item
 * @param targets QA± only: a fixed candidate set C of catalog item ids (promote item P with QA+,
 *     demote a competitor with QA-); empty = drawn per query as in the paper (uniform for "+", the
 *     query's top-1% neighbours for "-")
 * @param profile how PGD steps are sized ({@link AttackProfile#PAPER} unless given)
 */
public record CampaignAttack(
    AttackType type,
    double epsilon,
    int size,
    double fraction,
    Set<String> items,
    List<String> targets,
    AttackProfile profile) {

  public CampaignAttack {
    Objects.requireNonNull(type, "type");
    if (type.role() == AttackType.Role.SHIFT) {
      throw new IllegalArgumentException(
          "attack " + type + " moves no ranking; use one of CA+, CA-, QA+, QA-, SP-QA+, SP-QA-");
    }
    if (!(epsilon > 0 && epsilon <= 1)) {
      throw new IllegalArgumentException(type + ": eps must be in (0, 1], got " + epsilon);
    }
    if (size < 1) {
      throw new IllegalArgumentException(
          type + ": " + sizeKey(type) + " must be >= 1, got " + size);
    }
    if (!(fraction >= 0 && fraction <= 1)) {
      throw new IllegalArgumentException(type + ": fraction must be in [0, 1], got " + fraction);
    }
    items = Set.copyOf(items);
    targets = List.copyOf(targets);
    profile = profile == null ? AttackProfile.PAPER : profile;
    if (!items.isEmpty() && type.role() != AttackType.Role.CANDIDATE) {
      throw new IllegalArgumentException(type + ": items= is for CA+/CA- (use targets=)");
    }
    if (!targets.isEmpty() && type.role() != AttackType.Role.QUERY) {
      throw new IllegalArgumentException(type + ": targets= is for QA attacks (use items=)");
    }
    if (!targets.isEmpty() && targets.size() != size) {
      throw new IllegalArgumentException(
          "%s: m=%d but targets= names %d items".formatted(type, size, targets.size()));
    }
  }

  /** The name of the size key for this type: {@code w} for CA±, {@code m} for QA±. */
  static String sizeKey(AttackType type) {
    return type.role() == AttackType.Role.CANDIDATE ? "w" : "m";
  }

  /** Whether the attack perturbs catalog items (else queries). */
  boolean onCatalog() {
    return type.role() == AttackType.Role.CANDIDATE;
  }

  /** Whether an event of {@code itemId} may be attacked by this line at all. */
  boolean eligible(String itemId) {
    return items.isEmpty() || items.contains(itemId);
  }

  /** The core spec; the seed is per event (see {@link Campaign#eventSeed}). */
  AttackSpec spec(long seed) {
    return new AttackSpec(type, epsilon, size, seed, profile);
  }

  /** A short description such as {@code CA+ eps=0.1 w=1 fraction=0.2}. */
  public String describe() {
    return "%s eps=%s %s=%d fraction=%s%s"
        .formatted(
            type,
            Epsilons.format(epsilon),
            sizeKey(type),
            size,
            fraction,
            profile == AttackProfile.PAPER ? "" : " profile=" + profile.label());
  }
}
