package io.advrank.runtime.model;

import io.advrank.runtime.kafka.DeadLetters;
import java.util.Locale;

/**
 * Why a model version on {@code advrank.models} was not served. The label is the {@code reason} tag
 * of {@code advrank_model_refused_total}; the dead-letter reason goes into the error event.
 */
public enum Refusal {
  /** A record that does not parse, or whose key does not match its contents. */
  MALFORMED(DeadLetters.Reason.MALFORMED),
  /** A chunk missing, out of order, or the weights shorter or longer than announced. */
  TRUNCATED(DeadLetters.Reason.INVALID),
  /** The weights' sha256 differs from the one announced. */
  TAMPERED(DeadLetters.Reason.INVALID),
  /**
   * Trusted keys are configured and no trusted key signed this version as it arrived: unsigned,
   * signed by another key, or weights or manifest changed after signing.
   */
  SIGNATURE(DeadLetters.Reason.INVALID),
  /** Another architecture, input shape or embedding size than the service serves. */
  INCOMPATIBLE(DeadLetters.Reason.UNSUPPORTED),
  /** Created before the newest version served, and no activation (rollback) asked for it. */
  OLDER(DeadLetters.Reason.UNSUPPORTED),
  /** An activation naming a version this consumer has not (completely) seen. */
  UNKNOWN_VERSION(DeadLetters.Reason.INVALID),
  /** The weights did not load (e.g. unreadable or of the wrong shapes). */
  LOAD_FAILED(DeadLetters.Reason.PROCESSING_FAILED);

  private final DeadLetters.Reason deadLetterReason;

  Refusal(DeadLetters.Reason deadLetterReason) {
    this.deadLetterReason = deadLetterReason;
  }

  /** Metric label, e.g. {@code tampered}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public DeadLetters.Reason deadLetterReason() {
    return deadLetterReason;
  }
}
