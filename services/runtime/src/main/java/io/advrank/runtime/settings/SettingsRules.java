package io.advrank.runtime.settings;

import java.time.Duration;
import java.util.Objects;

/**
 * Checks that settings records run in their compact constructors, with one message format: {@code
 * setting 'KEY' RULE, got 'VALUE'}.
 */
public final class SettingsRules {
  /** The rule text for ids that end up in client ids and transactional ids. */
  public static final String NAME_RULE =
      "must be 1-64 characters of letters, digits, '.', '_' or '-'";

  /** The ids {@link #NAME_RULE} describes, as a regular expression. */
  public static final String NAME_PATTERN = "[A-Za-z0-9._-]{1,64}";

  private SettingsRules() {}

  /** Fails with a {@link SettingsException} naming the key, the rule and the value unless ok. */
  public static void require(boolean ok, String key, Object value, String rule) {
    if (!ok) {
      throw new SettingsException("setting '%s' %s, got '%s'".formatted(key, rule, value));
    }
  }

  /** Whether {@code id} is a name by {@link #NAME_RULE}. */
  public static boolean isName(String id) {
    return id != null && id.matches(NAME_PATTERN);
  }

  /** Requires a duration in [0, max]. */
  public static void requireDuration(Duration value, String key, Duration max) {
    Objects.requireNonNull(value, key);
    require(
        !value.isNegative() && value.compareTo(max) <= 0,
        key,
        value,
        "must be between 0 and " + max);
  }
}
