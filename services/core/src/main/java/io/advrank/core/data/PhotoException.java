package io.advrank.core.data;

/**
 * A photo file that cannot be turned into pixels, with a one-line message saying why and a {@link
 * Problem} that callers map to their own error kinds (a service's dead-letter reason, a command's
 * message).
 */
public final class PhotoException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What is wrong with the photo. */
  public enum Problem {
    /** Not a PNG or JPEG file, or not the format it was declared as. */
    UNSUPPORTED_FORMAT,
    /** A PNG or JPEG header, but the decoder fails on the data (truncated, corrupt). */
    UNDECODABLE,
    /** Its header claims more pixels than {@link PhotoFiles#MAX_PIXELS}. */
    TOO_LARGE
  }

  private final Problem problem;

  /** A photo error with a one-line message. */
  public PhotoException(Problem problem, String message, Throwable cause) {
    super(message, cause);
    this.problem = problem;
  }

  /** What is wrong with the photo. */
  public Problem problem() {
    return problem;
  }
}
