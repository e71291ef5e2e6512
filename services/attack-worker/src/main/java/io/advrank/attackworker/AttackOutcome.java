package io.advrank.attackworker;

import io.advrank.core.attack.AttackResult;
import java.util.List;

/**
 * What became of one event chosen for an attack.
 *
 * @param event the event
 * @param attack the campaign line that chose it
 * @param status whether it was attacked, passed unattacked, or failed
 * @param result the attack's result when {@link Status#ATTACKED}, else null
 * @param targetIds item ids of the targets when attacked, else empty
 * @param batchSize images in the PGD batch it ran in (0 when not attacked)
 * @param latencyMicros wall time of that PGD batch, target planning included
 * @param detail why it was skipped or failed, else empty
 * @param error the failure when {@link Status#FAILED}, else null
 */
record AttackOutcome(
    InboundEvent event,
    CampaignAttack attack,
    Status status,
    AttackResult result,
    List<String> targetIds,
    int batchSize,
    long latencyMicros,
    String detail,
    RuntimeException error) {

  /** The fate of a chosen event; also the {@code outcome} label's source. */
  enum Status {
    /** Perturbed: deliver the variant. */
    ATTACKED,
    /** Not attackable now (gallery too small, fixed target missing): deliver unchanged. */
    SKIPPED,
    /** The attack threw: dead-letter the event as processing_failed. */
    FAILED
  }

  static AttackOutcome skipped(InboundEvent event, CampaignAttack attack, String why) {
    return new AttackOutcome(event, attack, Status.SKIPPED, null, List.of(), 0, 0, why, null);
  }

  static AttackOutcome failed(InboundEvent event, CampaignAttack attack, RuntimeException e) {
    return new AttackOutcome(
        event, attack, Status.FAILED, null, List.of(), 0, 0, String.valueOf(e), e);
  }
}
