package io.advrank.attackworker;

import io.advrank.runtime.kafka.DeadLetters.Reason;

/** An input record the worker will not process, and the dead-letter reason why. */
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
