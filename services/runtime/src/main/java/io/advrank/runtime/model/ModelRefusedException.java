package io.advrank.runtime.model;

/** Thrown by a {@link ModelFeed.Loader} that will not serve a version, with the reason. */
public final class ModelRefusedException extends Exception {
  private final Refusal refusal;

  public ModelRefusedException(Refusal refusal, String message) {
    super(message);
    this.refusal = refusal;
  }

  public ModelRefusedException(Refusal refusal, String message, Throwable cause) {
    super(message, cause);
    this.refusal = refusal;
  }

  public Refusal refusal() {
    return refusal;
  }
}
