package io.advrank.runtime.settings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One setting, declared once: its key, its default, what it is for and the values it accepts. A
 * settings record declares each of its settings as a constant, reads it with {@link #read} and
 * checks a value built in code with {@link #check}; {@code advrank serve NAME --help} and
 * docs/settings.md print the declarations ({@link SettingsTable}).
 *
 * @param <T> the value's type
 */
public final class Setting<T> {
  private final String key;
  private final T defaultValue;
  private final String defaultText;
  private final String doc;
  private final String rule;
  private final Predicate<T> valid;
  private final BiFunction<SettingsSource, Setting<T>, T> reader;
  private final Function<T, String> format;

  private Setting(
      String key,
      T defaultValue,
      String defaultText,
      String doc,
      String rule,
      Predicate<T> valid,
      BiFunction<SettingsSource, Setting<T>, T> reader,
      Function<T, String> format) {
    this.key = Objects.requireNonNull(key, "key");
    this.defaultValue = defaultValue;
    this.defaultText = defaultText != null ? defaultText : format.apply(defaultValue);
    this.doc = Objects.requireNonNull(doc, "doc");
    this.rule = rule;
    this.valid = valid;
    this.reader = reader;
    this.format = format;
    if (defaultValue != null && !valid.test(defaultValue)) {
      // A programming error: the declaration contradicts itself.
      throw new IllegalArgumentException(
          "setting '%s': default '%s' breaks its own rule (%s)".formatted(key, defaultValue, rule));
    }
  }

  /** An integer in [min, max]. */
  public static Setting<Integer> integer(
      String key, int defaultValue, int min, int max, String doc) {
    return new Setting<>(
        key,
        defaultValue,
        null,
        doc,
        range(min, max, Integer.MAX_VALUE),
        v -> v != null && v >= min && v <= max,
        (s, d) -> s.intValue(d.key, d.defaultValue),
        String::valueOf);
  }

  /** A long integer in [min, max]. */
  public static Setting<Long> longInteger(
      String key, long defaultValue, long min, long max, String doc) {
    return new Setting<>(
        key,
        defaultValue,
        null,
        doc,
        range(min, max, Long.MAX_VALUE),
        v -> v != null && v >= min && v <= max,
        (s, d) -> s.longValue(d.key, d.defaultValue),
        String::valueOf);
  }

  private static String range(long min, long max, long unbounded) {
    if (max != unbounded) {
      return "must be " + min + ".." + max;
    }
    return min == Long.MIN_VALUE || min == Integer.MIN_VALUE
        ? "must be an integer"
        : "must be >= " + min;
  }

  /**
   * A decimal that {@code valid} accepts, e.g. {@code v -> v > 0 && v < 1} with rule "in (0, 1)".
   */
  public static Setting<Double> decimal(
      String key, double defaultValue, Predicate<Double> valid, String rule, String doc) {
    return new Setting<>(
        key,
        defaultValue,
        null,
        doc,
        "must be " + rule,
        v -> v != null && valid.test(v),
        (s, d) -> s.doubleValue(d.key, d.defaultValue),
        v -> String.valueOf(v.doubleValue()).replaceAll("\\.0$", ""));
  }

  /** A duration in [0, max]. */
  public static Setting<Duration> duration(
      String key, Duration defaultValue, Duration max, String doc) {
    return new Setting<>(
        key,
        defaultValue,
        null,
        doc,
        "must be between 0 and " + Setting.human(max),
        v -> v != null && !v.isNegative() && v.compareTo(max) <= 0,
        (s, d) -> s.duration(d.key, d.defaultValue),
        Setting::human);
  }

  /** A duration in (0, max]. */
  public static Setting<Duration> positiveDuration(
      String key, Duration defaultValue, Duration max, String doc) {
    return new Setting<>(
        key,
        defaultValue,
        null,
        doc,
        "must be more than 0 and at most " + Setting.human(max),
        v -> v != null && v.compareTo(Duration.ZERO) > 0 && v.compareTo(max) <= 0,
        (s, d) -> s.duration(d.key, d.defaultValue),
        Setting::human);
  }

  /** A duration that is not negative, without an upper bound. */
  public static Setting<Duration> duration(String key, Duration defaultValue, String doc) {
    return new Setting<>(
        key,
        defaultValue,
        null,
        doc,
        "must be 0 or more",
        v -> v != null && !v.isNegative(),
        (s, d) -> s.duration(d.key, d.defaultValue),
        Setting::human);
  }

  /** {@code true} or {@code false}. */
  public static Setting<Boolean> bool(String key, boolean defaultValue, String doc) {
    return new Setting<>(
        key,
        defaultValue,
        null,
        doc,
        "must be true or false",
        Objects::nonNull,
        (s, d) -> s.bool(d.key, d.defaultValue),
        String::valueOf);
  }

  /** A string matching {@code regex}, {@code rule} saying so in words. */
  public static Setting<String> text(
      String key, String defaultValue, String regex, String rule, String doc) {
    return new Setting<>(
        key,
        defaultValue,
        null,
        doc,
        rule,
        v -> v != null && v.matches(regex),
        (s, d) -> s.string(d.key, d.defaultValue),
        v -> v);
  }

  /** An id that ends up in client ids and transactional ids ({@link SettingsRules#NAME_RULE}). */
  public static Setting<String> name(String key, String defaultValue, String doc) {
    return text(key, defaultValue, SettingsRules.NAME_PATTERN, SettingsRules.NAME_RULE, doc);
  }

  /** One of a few words, e.g. {@code est} or {@code act}. */
  public static Setting<String> oneOf(
      String key, String defaultValue, List<String> words, String doc) {
    return text(
        key,
        defaultValue,
        words.stream().map(Pattern::quote).collect(Collectors.joining("|")),
        "must be one of " + String.join(", ", words),
        doc);
  }

  /** A file or directory; not checked for existence here (the service says what it needs). */
  public static Setting<Path> path(String key, Path defaultValue, String doc) {
    return new Setting<>(
        key,
        defaultValue,
        null,
        doc,
        "must be a path",
        Objects::nonNull,
        (s, d) -> Path.of(s.string(d.key, d.defaultValue.toString())),
        Path::toString);
  }

  /**
   * A value parsed from its text by {@code parse(key, text)}, which throws an {@link
   * IllegalArgumentException} saying what is wrong (e.g. a device, an ε as {@code 8/255}); {@code
   * defaultText} is parsed the same way.
   */
  public static <T> Setting<T> parsed(
      String key,
      String defaultText,
      BiFunction<String, String, T> parse,
      String rule,
      String doc) {
    Objects.requireNonNull(parse, "parse");
    // The default is text, written as a user writes it, and parsed like a user's value.
    return new Setting<>(
        key,
        null,
        defaultText,
        doc,
        rule,
        v -> true, // parse decides; null may stand for none
        (s, d) -> d.parse(s, s.string(d.key, defaultText), parse),
        Object::toString);
  }

  private T parse(SettingsSource source, String raw, BiFunction<String, String, T> parse) {
    try {
      return parse.apply(key, raw.trim());
    } catch (SettingsException e) {
      throw e; // already names the setting
    } catch (IllegalArgumentException e) {
      String why = String.valueOf(e.getMessage());
      why = why.startsWith(key + ": ") ? why.substring(key.length() + 2) : why;
      throw new SettingsException(
          "setting '%s' has bad value '%s' (from %s): %s"
              .formatted(key, raw, source.origin(key), why));
    }
  }

  /**
   * This setting, accepting only the values {@code valid} accepts too; {@code rule} says which in
   * words ("must be in (0, 1]").
   */
  public Setting<T> where(Predicate<T> valid, String rule) {
    Predicate<T> both = this.valid.and(v -> v != null && valid.test(v));
    return new Setting<>(key, defaultValue, defaultText, doc, rule, both, reader, format);
  }

  /** The setting's key, e.g. {@code ranking.k}. */
  public String key() {
    return key;
  }

  /** What the setting is for, one sentence. */
  public String doc() {
    return doc;
  }

  /** The values accepted, in words ("must be 1..1000"). */
  public String rule() {
    return rule;
  }

  /** The default as a user would write it. */
  public String defaultText() {
    return defaultText;
  }

  /** The default value; null for a {@link #parsed} setting (its default is text). */
  public T defaultValue() {
    return defaultValue;
  }

  /** The value from {@code source} (or the default), checked against the rule. */
  public T read(SettingsSource source) {
    T value = reader.apply(source, this);
    if (!valid.test(value)) {
      throw new SettingsException(
          "setting '%s' %s, got '%s' (from %s)"
              .formatted(key, rule, format.apply(value), source.origin(key)));
    }
    return value;
  }

  /**
   * {@code value} when the rule accepts it, for settings records built in code.
   *
   * @throws SettingsException naming the setting, the rule and the value
   */
  public T check(T value) {
    SettingsRules.require(valid.test(value), key, value == null ? null : format.apply(value), rule);
    return value;
  }

  /** Environment variable of the key ({@link SettingsSource#envName}). */
  public String envName() {
    return SettingsSource.envName(key);
  }

  @Override
  public String toString() {
    return key;
  }

  /** As a user writes it: 250ms, 10s, 5m, 2h or 1d, the largest unit that is exact. */
  static String human(Duration d) {
    long ms = d.toMillis();
    if (ms % 86_400_000 == 0 && ms > 0) {
      return ms / 86_400_000 + "d";
    }
    if (ms % 3_600_000 == 0 && ms > 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
