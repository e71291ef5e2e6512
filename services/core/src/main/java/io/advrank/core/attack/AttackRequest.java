package io.advrank.core.attack;

/**
 * One item to attack: its clean pixels and the gallery items it is attacked against.
 *
 * @param pixels the clean image, values in [0,1], CHW order
 * @param targets gallery indices: the query set Q for CA±, the candidate set C for QA±; empty for
 *     ES
 * @param preserve gallery indices of C_SP (q's original top-5 non-targets) for SP-QA±; else empty
 * @param self gallery index of the item's own clean copy, or −1 when it is not in the gallery; with
 *     it the clean rank is exact (the copy ties with the item and never counts as ahead of it)
 */
public record AttackRequest(float[] pixels, int[] targets, int[] preserve, int self) {
  public AttackRequest {
    if (pixels == null || targets == null) {
      throw new IllegalArgumentException("attack request: pixels and targets are required");
    }
    preserve = preserve == null ? new int[0] : preserve;
  }

  /** A request for an item that is not in the gallery. */
  public AttackRequest(float[] pixels, int[] targets, int[] preserve) {
    this(pixels, targets, preserve, -1);
  }
}
