package io.advrank.core.data;

/**
 * Data that cannot be read or does not make sense: a missing file, a corrupt header, a truncated
 * file, an unreadable image. The message is one line meant for end users; it names the file and
 * what is wrong with it.
 */
public final class DataException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a one-line, user-facing message. */
  public DataException(String message) {
    super(message);
  }

  /** Creates the exception with a one-line, user-facing message and the underlying cause. */
  public DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
