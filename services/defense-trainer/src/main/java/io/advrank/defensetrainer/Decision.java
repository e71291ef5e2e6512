package io.advrank.defensetrainer;

import io.advrank.proto.v1.ModelDecision;
import io.advrank.runtime.model.AssembledModel;

/**
 * One gate decision on candidate {@code version} of {@code parentVersion}, with both models'
 * figures, the steps and buffered images so far; {@code published} is the new version when the
 * outcome is {@link Outcome#PUBLISH}, else null. A {@link Outcome#DROPPED} decision has nothing
 * else.
 */
record Decision(
    Outcome outcome,
    String version,
    String parentVersion,
    String reason,
    Figures parentFigures,
    Figures candidateFigures,
    long steps,
    int bufferImages,
    AssembledModel published) {
  /** What an evaluation led to. */
  enum Outcome {
    /** The candidate passed the gate and is the parent now; publish {@link Decision#published}. */
    PUBLISH,
    /** Its R@1 fell too far: the candidate is the parent's weights again. */
    RESET,
    /** Not robust enough yet: training goes on from the candidate. */
    KEEP_TRAINING,
    /** Consumers switched version while it was measured: no decision, the trainer rebases. */
    DROPPED;

    static Outcome of(Gate.Verdict verdict) {
      if (verdict.publish()) {
        return PUBLISH;
      }
      return verdict.recallFailed() ? RESET : KEEP_TRAINING;
    }
  }

  static final Decision DROPPED = new Decision(Outcome.DROPPED, "", "", "", null, null, 0, 0, null);

  /** The record for {@code advrank.model-decisions}. */
  ModelDecision toMessage(long decidedAtMs) {
    return ModelDecision.newBuilder()
        .setCandidateVersion(version)
        .setParentVersion(parentVersion)
        .setPublished(outcome == Outcome.PUBLISH)
        .setReason(reason)
        .putAllParentMetrics(parentFigures.values())
        .putAllCandidateMetrics(candidateFigures.values())
        .setSteps(steps)
        .setBufferImages(bufferImages)
        .setDecidedAtMs(decidedAtMs)
        .build();
  }
}
