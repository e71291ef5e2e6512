package io.advrank.core.model;

/** A model directory that cannot be used: missing, corrupt, tampered or for other data. */
public final class ModelException extends Exception {
  public ModelException(String message) {
    super(message);
  }

  public ModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
