package io.advrank.runtime.settings;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Where a service's settings come from: each key (e.g. {@code metrics.port}) is looked up in the
 * command-line flags, then the environment ({@code ADVRANK_METRICS_PORT}), then a properties file,
 * and the first one found wins. Typed getters parse the value and fail with a {@link
 * SettingsException} naming the setting, the bad value, its origin and what is accepted.
 *
 * <p>The source knows the service's full set of keys: a key in the properties file or the flags
 * that is not among them is an error (a typo must not be silently ignored). Environment variables
 * are only read for known keys, since the environment is shared with other programs. Services turn
 * a source into their own settings records, whose compact constructors check ranges.
 */
public final class SettingsSource {
  private static final String ENV_PREFIX = "ADVRANK_";

  private final Set<String> known;
  private final Map<String, String> flags;
  private final Map<String, String> env;
  private final Map<String, String> file;
  private final String fileName;

  private SettingsSource(
      Set<String> known,
      Map<String, String> flags,
      Map<String, String> env,
      Map<String, String> file,
      String fileName) {
    this.known = Set.copyOf(known);
    this.flags = Map.copyOf(flags);
    this.env = Map.copyOf(env);
    this.file = Map.copyOf(file);
    this.fileName = fileName;
    rejectUnknown(this.flags.keySet(), "command-line flag");
    rejectUnknown(this.file.keySet(), "properties file " + fileName);
  }

  /**
   * A source over the given layers.
   *
   * @param knownKeys every key the service reads
   * @param flags the flags the user actually gave, by key (absent = not given)
   * @param env the environment, normally {@code System.getenv()}
   * @param propertiesFile a properties file, or null for none
   * @throws SettingsException for unknown keys or an unreadable file
   */
  public static SettingsSource load(
      Set<String> knownKeys,
      Map<String, String> flags,
      Map<String, String> env,
      Path propertiesFile) {
    if (propertiesFile == null) {
      return new SettingsSource(knownKeys, flags, env, Map.of(), "(none)");
    }
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(propertiesFile, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new SettingsException("cannot read settings file " + propertiesFile + ": " + e);
    }
    Map<String, String> values = new TreeMap<>();
    properties.stringPropertyNames().forEach(k -> values.put(k, properties.getProperty(k).trim()));
    return new SettingsSource(knownKeys, flags, env, values, propertiesFile.toString());
  }

  /** The environment variable for a key: {@code foo.bar-baz} → {@code ADVRANK_FOO_BAR_BAZ}. */
  public static String envName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** The raw value of a known key from the highest-precedence layer that has it. */
  public Optional<String> find(String key) {
    requireKnown(key);
    if (flags.containsKey(key)) {
      return Optional.of(flags.get(key));
    }
    String fromEnv = env.get(envName(key));
    if (fromEnv != null) {
      return Optional.of(fromEnv);
    }
    return Optional.ofNullable(file.get(key));
  }

  /** Where the value of {@code key} comes from, for messages: a flag, a variable, the file. */
  public String origin(String key) {
    requireKnown(key);
    if (flags.containsKey(key)) {
      return "flag --" + key;
    }
    if (env.containsKey(envName(key))) {
      return "environment variable " + envName(key);
    }
    return file.containsKey(key) ? "settings file " + fileName : "default";
  }

  /** A required string setting. */
  public String string(String key) {
    return find(key)
        .orElseThrow(
            () ->
                new SettingsException(
                    "setting '%s' is required: set flag --%s, environment variable %s or %s in a settings file"
                        .formatted(key, key, envName(key), key)));
  }

  /** A string setting with a default. */
  public String string(String key, String defaultValue) {
    return find(key).orElse(defaultValue);
  }

  /** An integer setting, e.g. {@code 9404}. */
  public int intValue(String key, int defaultValue) {
    return parsed(key, defaultValue, "an integer, e.g. 8", Integer::parseInt);
  }

  /** A long integer setting. */
  public long longValue(String key, long defaultValue) {
    return parsed(key, defaultValue, "an integer, e.g. 1000", Long::parseLong);
  }

  /** A decimal setting, e.g. {@code 0.03}; NaN and infinities are refused. */
  public double doubleValue(String key, double defaultValue) {
    return parsed(key, defaultValue, "a finite number, e.g. 0.03", SettingsSource::parseFinite);
  }

  /** A boolean setting: {@code true} or {@code false}, any case. */
  public boolean bool(String key, boolean defaultValue) {
    return parsed(key, defaultValue, "true or false", SettingsSource::parseBoolean);
  }

  /** A duration: {@code 250ms}, {@code 10s}, {@code 5m}, {@code 2h} or ISO-8601 {@code PT10S}. */
  public Duration duration(String key, Duration defaultValue) {
    return parsed(
        key, defaultValue, "a duration such as 250ms, 10s, 5m, 2h or PT10S", Durations::parse);
  }

  /** A comma-separated list; blanks around items are dropped, empty items refused. */
  public List<String> list(String key, List<String> defaultValue) {
    return parsed(
        key, defaultValue, "a comma-separated list without empty items", SettingsSource::parseList);
  }

  /** One of an enum's constants, case-insensitive, with {@code -} standing for {@code _}. */
  public <E extends Enum<E>> E enumValue(String key, Class<E> type, E defaultValue) {
    String accepted =
        "one of "
            + Arrays.stream(type.getEnumConstants())
                .map(c -> c.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .collect(Collectors.joining(", "));
    return parsed(
        key,
        defaultValue,
        accepted,
        s -> Enum.valueOf(type, s.trim().toUpperCase(Locale.ROOT).replace('-', '_')));
  }

  private <T> T parsed(String key, T defaultValue, String accepted, Function<String, T> parser) {
    Optional<String> raw = find(key);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    try {
      return parser.apply(raw.get().trim());
    } catch (RuntimeException e) {
      throw new SettingsException(
          "setting '%s' has bad value '%s' (from %s): expected %s"
              .formatted(key, raw.get(), origin(key), accepted));
    }
  }

  private void requireKnown(String key) {
    if (!known.contains(key)) {
      // A programming error, not a user's: the service asked for a key it did not declare.
      throw new IllegalArgumentException("setting '" + key + "' is not declared; known: " + known);
    }
  }

  private void rejectUnknown(Set<String> keys, String where) {
    Set<String> unknown = new TreeSet<>(keys);
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      throw new SettingsException(
          "unknown setting%s %s in %s; known settings: %s"
              .formatted(unknown.size() == 1 ? "" : "s", unknown, where, new TreeSet<>(known)));
    }
  }

  private static double parseFinite(String s) {
    double value = Double.parseDouble(s);
    if (!Double.isFinite(value)) {
      throw new NumberFormatException("not finite");
    }
    return value;
  }

  private static boolean parseBoolean(String s) {
    if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(s);
    }
    throw new IllegalArgumentException("not a boolean");
  }

  private static List<String> parseList(String s) {
    if (s.isEmpty()) {
      return List.of();
    }
    List<String> items = Arrays.stream(s.split(",", -1)).map(String::trim).toList();
    if (items.contains("")) {
      throw new IllegalArgumentException("empty item");
    }
    return items;
  }

  /**
   * A source from command-line arguments: {@code --key=value} or {@code --key value} flags, plus
   * {@code --settings FILE}, layered over the environment ({@code ADVRANK_*}) and the file.
   *
   * @throws SettingsException for a bare word, a flag without a value or an unknown key
   */
  public static SettingsSource fromArgs(Set<String> keys, String[] args, Map<String, String> env) {
    Map<String, String> flags = new HashMap<>();
    Path file = null;
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--")) {
        throw new SettingsException("unexpected argument '" + args[i] + "': use --key=value");
      }
      String arg = args[i].substring(2);
      int eq = arg.indexOf('=');
      String key = eq >= 0 ? arg.substring(0, eq) : arg;
      if (eq < 0 && i + 1 >= args.length) {
        throw new SettingsException("flag --" + key + " needs a value");
      }
      String value = eq >= 0 ? arg.substring(eq + 1) : args[++i];
      if (key.equals("settings")) {
        file = Path.of(value);
      } else {
        flags.put(key, value);
      }
    }
    return load(keys, flags, env, file);
  }

  /**
   * Parses a duration as settings do ({@code 250ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code
   * 1d} or ISO-8601 {@code PT10S}), for command-line options outside a settings source.
   *
   * @throws IllegalArgumentException naming {@code what}, the value and the accepted forms
   */
  public static Duration parseDuration(String what, String value) {
    try {
      return Durations.parse(value.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          what + ": '" + value + "' is not a duration (e.g. 250ms, 90s, 15m, 2h or PT10S)");
    }
  }

  /** Parses human durations; kept apart so the grammar is in one place. */
  static final class Durations {
    private static final Pattern HUMAN = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private Durations() {}

    static Duration parse(String s) {
      if (s.startsWith("P") || s.startsWith("p")) {
        return nonNegative(parseIso(s));
      }
      Matcher m = HUMAN.matcher(s);
      if (!m.matches()) {
        throw new IllegalArgumentException("not a duration");
      }
      long amount = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> Duration.ofDays(amount);
      };
    }

    private static Duration parseIso(String s) {
      try {
        return Duration.parse(s);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(e);
      }
    }

    private static Duration nonNegative(Duration d) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("negative");
      }
      return d;
    }
  }
}
