package io.advrank.cli.bench;

import io.advrank.proto.v1.AdversarialVariant;
import io.advrank.proto.v1.AnomalyAlert;
import io.advrank.proto.v1.AttackSpec;
import io.advrank.proto.v1.AttackType;
import io.advrank.proto.v1.CatalogObservation;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ModelDecision;
import io.advrank.proto.v1.RankShift;
import io.advrank.proto.v1.RankingResult;

/**
 * Valid records of the fuzzed topics that carry no image event, each with this run's id so that it
 * is never taken for a real one; {@code bench fuzz} breaks them into malformed ones and sends some
 * as they are.
 */
final class BenchFuzzMessages {
  private final String run;
  private final BenchPipelineEvents events;

  BenchFuzzMessages(String run, BenchPipelineEvents events) {
    this.run = run;
    this.events = events;
  }

  private String id(String what, int i) {
    return "bench-" + run + "-fuzz-" + what + "-" + i;
  }

  /** A ranking the monitor and the console accept. */
  RankingResult ranking(int i) {
    String id = id("ranking", i);
    return RankingResult.newBuilder()
        .setQueryEventId(id)
        .setQueryId(id)
        .setModelVersion("bench-fuzz")
        .setGallerySize(100)
        .setRankedAtMs(System.currentTimeMillis())
        .build();
  }

  /** A catalog observation the monitor accepts. */
  CatalogObservation observation(int i) {
    String id = id("observation", i);
    return CatalogObservation.newBuilder()
        .setItemId(id)
        .setEventId(id)
        .setModelVersion("bench-fuzz")
        .setConsistencyScore(0.5f)
        .setObservedAtMs(System.currentTimeMillis())
        .build();
  }

  /**
   * A variant the defense-trainer and the console accept: the pixels of a test image, of an item no
   * catalog record names, so the defense-trainer checks it and then leaves it out of its training
   * buffer (it takes variants of items it knows the label of).
   */
  AdversarialVariant variant(int i) {
    ImageEvent image = events.catalogItem(i % events.data().size());
    String id = id("variant", i);
    return AdversarialVariant.newBuilder()
        .setOriginalEventId(id)
        .setItemId(id)
        .setSpec(AttackSpec.newBuilder().setType(AttackType.ATTACK_TYPE_CA_PLUS).setEpsilon(0.03f))
        .setPerturbed(image.getPixels())
        .setModelVersion("bench-fuzz")
        .setProducedAtMs(System.currentTimeMillis())
        .build();
  }

  /** A rank shift the console accepts. */
  RankShift rankShift(int i) {
    String id = id("shift", i);
    return RankShift.newBuilder()
        .setSubjectId(id)
        .setOriginalEventId(id)
        .setAttackType(AttackType.ATTACK_TYPE_CA_PLUS)
        .setEpsilon(0.03f)
        .setRankPercentileBefore(50)
        .setRankPercentileAfter(10)
        .setModelVersion("bench-fuzz")
        .setMeasuredAtMs(System.currentTimeMillis())
        .build();
  }

  /** An alert the console accepts. */
  AnomalyAlert alert(int i) {
    String id = id("alert", i);
    return AnomalyAlert.newBuilder()
        .setAlertId(id)
        .setSubjectId(id)
        .setSignal("bench_fuzz")
        .setModelVersion("bench-fuzz")
        .setRaisedAtMs(System.currentTimeMillis())
        .build();
  }

  /** A gate decision the console accepts, of a candidate that is never published. */
  ModelDecision decision(int i) {
    String id = id("candidate", i);
    return ModelDecision.newBuilder()
        .setCandidateVersion(id)
        .setParentVersion("bench-fuzz")
        .setPublished(false)
        .setReason("bench fuzz: not a real candidate")
        .putCandidateMetrics("r_at_1", 0.5)
        .putParentMetrics("r_at_1", 0.5)
        .setDecidedAtMs(System.currentTimeMillis())
        .build();
  }

  /** The name of a model version that is never published. */
  String modelVersion(int i) {
    return id("model", i);
  }
}
