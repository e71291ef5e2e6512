package io.advrank.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.core.model.ModelSpec;
import java.util.List;

/**
 * robrank's attack suite and its ERS ({@link RobrankScores}) over a test set: CA+, CA-, QA+ and QA-
 * with w = m = 1 (plain QA, as robrank's {@code rob28}/{@code rob224} profiles run them), then the
 * query attacks TMA, ES, LTM, GTM and GTT. As in {@link AttackEvaluation}, the whole test set is
 * the gallery and its first {@code limit} items are each attacked once by every attack; every
 * ranking leaves the attacked item's own clean copy out.
 *
 * <ul>
 *   <li>TMA: pull f(q̃) towards a uniformly drawn gallery item t ({@link PullObjective}); reported:
 *       mean cos(f(q̃), f(t)).
 *   <li>ES: maximise 1 − cos(f(q̃), f(q)) ({@link ShiftObjective}); reported: that mean shift (ESD)
 *       and the R@1 (%) of the perturbed queries (ESR).
 *   <li>LTM: {@link MisrankObjective}; reported: R@1 (%).
 *   <li>GTM: pull f(q̃) towards the nearest gallery item whose label differs from the label of q's
 *       top-1; reported: R@1 (%).
 *   <li>GTT: QA- on q's top-1 (the hinge of {@link QueryObjective}); reported: the share (%) of
 *       queries whose top-1 is still among the 4 nearest.
 * </ul>
 *
 * Each PGD step runs in its own native sub-manager ({@link Pgd}), parameters frozen.
 */
public final class RobrankSuite implements AutoCloseable {
  /** The attacks, in the order they run. */
  public static final List<String> ATTACKS =
      List.of("CA+", "CA-", "QA+", "QA-", "TMA", "ES", "LTM", "GTM", "GTT");

  /** GTT counts a query's original top-1 as kept while it ranks within this many. */
  static final int GTT_RETAIN = 4;

  /** Reports the attack being run and the number of its items done so far. */
  public interface Progress {
    void start(String attack);

    void done(int items);
  }

  /**
   * The suite's outcome.
   *
   * @param attacked the figures after each attack
   * @param clean the same figures with no perturbation, over the same items and targets (CA±/QA±:
   *     the clean rank percentile; TMA: the clean cosine to the target; ESD 0; ESR, LTM, GTM: the
   *     clean R@1; GTT 100)
   * @param profile the schedule profile
   * @param epsilon the L∞ budget
   * @param count items attacked per attack
   * @param maxLinf the largest ‖x̃ − x‖∞ of any attack
   * @param seconds wall time
   */
  public record Result(
      RobrankScores attacked,
      RobrankScores clean,
      AttackProfile profile,
      double epsilon,
      int count,
      double maxLinf,
      double seconds) {}

  private final AttackEvaluation evaluation;
  private final AttackProfile profile;
  private final NDManager manager;
  private final NDArray galleryT;

  private RobrankSuite(AttackEvaluation evaluation, AttackProfile profile) {
    this.evaluation = evaluation;
    this.profile = profile;
    Embeddings g = evaluation.index().embeddings();
    this.manager = evaluation.model().manager().newSubManager();
    this.galleryT = manager.create(g.values(), new Shape(g.count(), g.dim())).transpose();
  }

  /** Embeds {@code testSet} as the gallery; {@code profile} fixes ε and the PGD schedule. */
  public static RobrankSuite of(EmbeddingModel model, ImageDataset testSet, AttackProfile profile) {
    if (profile == AttackProfile.PAPER) {
      throw new IllegalArgumentException(
          "profile: the robrank suite runs under rob28 or rob224, was paper");
    }
    return new RobrankSuite(AttackEvaluation.of(model, testSet), profile);
  }

  /** robrank's profile for a model's input: rob28 up to 64 pixels a side, rob224 above. */
  public static AttackProfile profileFor(ModelSpec spec) {
    return Math.max(spec.height(), spec.width()) <= 64 ? AttackProfile.ROB28 : AttackProfile.ROB224;
  }

  /** Leave-one-out R@1 of the whole gallery. */
  public double recallAt1() {
    return evaluation.retrieval().recallAt1();
  }

  /** |X|. */
  public int gallerySize() {
    return evaluation.gallerySize();
  }

  /** Runs every attack on test items 0..limit-1, {@code batchSize} per PGD run. */
  public Result run(int limit, int batchSize, long seed, Progress progress) {
    ImageDataset test = evaluation.testSet();
    if (limit < 1 || limit > test.size()) {
      throw new IllegalArgumentException("limit: must be in 1.." + test.size() + ", was " + limit);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size: must be >= 1, was " + batchSize);
    }
    long t0 = System.nanoTime();
    double eps = profile.defaultEpsilon();
    double[] after = new double[10];
    double[] before = new double[10];
    double linf = 0;
    AttackType[] rankAttacks = {
      AttackType.CA_PLUS, AttackType.CA_MINUS, AttackType.QA_PLUS, AttackType.QA_MINUS
    };
    for (int a = 0; a < rankAttacks.length; a++) {
      progress.start(rankAttacks[a].label());
      AttackSpec spec = new AttackSpec(rankAttacks[a], eps, 1, seed, profile);
      AttackEvaluation.Summary s = evaluation.run(spec, limit, batchSize, progress::done);
      after[a] = s.rankAfter();
      before[a] = s.rankBefore();
      linf = Math.max(linf, s.maxLinf());
    }
    QueryAttacks query = new QueryAttacks(evaluation, galleryT, profile.schedule(eps), seed);
    for (QueryAttacks.Kind kind : QueryAttacks.Kind.values()) {
      progress.start(kind.name());
      QueryAttacks.Tally t = query.run(kind, limit, batchSize, progress::done);
      linf = Math.max(linf, t.maxLinf());
      t.writeTo(kind, after, before);
    }
    before[5] = 0; // ESD: no shift without a perturbation
    return new Result(
        scores(after), scores(before), profile, eps, limit, linf, (System.nanoTime() - t0) / 1e9);
  }

  private static RobrankScores scores(double[] v) {
    return new RobrankScores(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]);
  }

  @Override
  public void close() {
    manager.close();
    evaluation.close();
  }
}
