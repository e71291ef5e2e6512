package io.advrank.runtime.wire;

import io.advrank.runtime.kafka.DeadLetters.Reason;

/** A record a service will not process, and the dead-letter reason why. */
public final class RejectedRecordException extends Exception {
  private static final long serialVersionUID = 1L;

  private final Reason reason;

  public RejectedRecordException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
