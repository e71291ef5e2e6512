package io.advrank.runtime.settings;

/**
 * A setting is missing, unknown or has a value that cannot be used. The message names the setting,
 * the bad value, where it came from and what is accepted, so that it can be shown to the user as is
 * (entry points turn it into a one-line error and exit code 2).
 */
public class SettingsException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a complete, user-facing message. */
  public SettingsException(String message) {
    super(message);
  }
}
