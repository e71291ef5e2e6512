package io.advrank.core.attack;

import io.advrank.core.ranking.GalleryIndex;
import io.advrank.core.ranking.TopK;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Draws each attacked gallery item's targets as the paper does (docs/method.md): Q for CA+ and C
 * for QA+ uniformly from the gallery; Q for CA- and C for QA- from the item's top-1% neighbours;
 * and for SP-QA± the set C_SP, the item's original top-5 that are not targets. The item itself is
 * never its own target.
 *
 * <p>Each item gets its own {@code Random} derived from the seed and its index, so its targets do
 * not depend on which other items share its batch.
 */
public final class TargetSampler {
  /** |C_SP|: the query's top-5 are kept in place by SP-QA±. */
  public static final int SP_SIZE = 5;

  private final GalleryIndex index;

  /** Samples from the gallery behind {@code index} (not closed by this sampler). */
  public TargetSampler(GalleryIndex index) {
    this.index = index;
  }

  /**
   * @param targets gallery indices of Q (CA±) or C (QA±); empty for ES
   * @param preserve gallery indices of C_SP for SP-QA±; else empty
   */
  public record Targets(int[] targets, int[] preserve) {}

  /** Size of the neighbour pool for CA-/QA-: the top 1% of the gallery, at least {@code size}. */
  public static int neighbourPool(int gallerySize, int size) {
    return Math.max(size, (int) Math.ceil(gallerySize / 100.0));
  }

  /** Targets for each gallery item in {@code items}, in order. */
  public List<Targets> sample(AttackSpec spec, int[] items) {
    AttackType type = spec.type();
    int n = index.size();
    if (type.role() == AttackType.Role.SHIFT) {
      return Arrays.stream(items).mapToObj(i -> new Targets(new int[0], new int[0])).toList();
    }
    checkSize(spec, n);
    int pool = type.targetsNeighbours() ? neighbourPool(n, spec.size()) : 0;
    int k = neighboursNeeded(type, spec.size(), n);
    TopK top = k > 0 ? index.topK(index.embeddings().rows(items), k, items) : null;
    return java.util.stream.IntStream.range(0, items.length)
        .mapToObj(j -> targetsOf(spec, items[j], top == null ? null : top.idsOf(j), pool))
        .toList();
  }

  /** Fails unless a gallery of {@code n} items holds {@code spec}'s targets besides the item. */
  public static void checkSize(AttackSpec spec, int n) {
    AttackType type = spec.type();
    if (type.role() == AttackType.Role.SHIFT) {
      return;
    }
    int k = neighboursNeeded(type, spec.size(), n);
    if (spec.size() > n - 1 || k > n - 1) {
      throw new IllegalArgumentException(
          "size: must be in 1.."
              + maxSize(type, n)
              + " for "
              + type
              + " on a gallery of "
              + n
              + " items, was "
              + spec.size());
    }
  }

  /**
   * How many nearest neighbours of an attacked image its targets and kept set are drawn from: the
   * neighbour pool for CA-/QA-, the size plus {@value #SP_SIZE} for SP-QA±, else 0 (no search).
   */
  public static int neighboursNeeded(AttackType type, int size, int gallerySize) {
    int pool = type.targetsNeighbours() ? neighbourPool(gallerySize, size) : 0;
    return Math.max(pool, type.semanticsPreserving() ? size + SP_SIZE : 0);
  }

  /**
   * The targets of one attacked image, as the paper draws them (docs/method.md): {@code size} of
   * its first {@code pool} {@code neighbours} for CA-/QA-, else {@code size} gallery rows
   * uniformly, never {@code self} (-1 for an image that is not a gallery row).
   */
  public static int[] drawTargets(
      AttackType type,
      int gallerySize,
      int self,
      int[] neighbours,
      int pool,
      int size,
      Random random) {
    return type.targetsNeighbours()
        ? pick(Arrays.copyOf(neighbours, pool), size, random)
        : uniform(gallerySize, self, size, random);
  }

  /** The kept set C_SP of SP-QA±: the first {@value #SP_SIZE} neighbours that are not targets. */
  public static int[] keptSet(int[] neighbours, int[] targets) {
    Set<Integer> exclude = new LinkedHashSet<>();
    for (int t : targets) {
      exclude.add(t);
    }
    return Arrays.stream(neighbours).filter(i -> !exclude.contains(i)).limit(SP_SIZE).toArray();
  }

  private Targets targetsOf(AttackSpec spec, int item, int[] neighbours, int pool) {
    Random random = new Random(spec.seed() * 0x9E3779B97F4A7C15L + item);
    int[] targets =
        drawTargets(spec.type(), index.size(), item, neighbours, pool, spec.size(), random);
    int[] preserve = spec.type().semanticsPreserving() ? keptSet(neighbours, targets) : new int[0];
    return new Targets(targets, preserve);
  }

  /** {@code size} distinct indices of 0..n-1 other than {@code self}. */
  private static int[] uniform(int n, int self, int size, Random random) {
    Set<Integer> chosen = new LinkedHashSet<>();
    if (2 * size > n) {
      int[] all = java.util.stream.IntStream.range(0, n).filter(i -> i != self).toArray();
      return pick(all, size, random);
    }
    while (chosen.size() < size) {
      int i = random.nextInt(n);
      if (i != self) {
        chosen.add(i);
      }
    }
    return chosen.stream().mapToInt(Integer::intValue).toArray();
  }

  /** {@code size} distinct entries of {@code pool} (partial Fisher–Yates; pool is modified). */
  private static int[] pick(int[] pool, int size, Random random) {
    for (int i = 0; i < size; i++) {
      int j = i + random.nextInt(pool.length - i);
      int t = pool[i];
      pool[i] = pool[j];
      pool[j] = t;
    }
    return Arrays.copyOf(pool, size);
  }

  private static int maxSize(AttackType type, int n) {
    return Math.max(1, type.semanticsPreserving() ? n - 1 - SP_SIZE : n - 1);
  }
}
