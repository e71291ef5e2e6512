package io.advrank.ranker;

import io.advrank.runtime.kafka.DeadLetters.Reason;

/** A record the ranker will not process, and the dead-letter reason why. */
final class RejectedRecordException extends Exception {
  private static final long serialVersionUID = 1L;

  private final Reason reason;

  RejectedRecordException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  Reason reason() {
    return reason;
  }
}
