package io.advrank.runtime.settings;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A service's settings: its own {@link Setting}s, declared once, and the groups it shares with
 * other services (Kafka, HTTP, model signing), by key. Gives the keys a {@link SettingsSource} must
 * know and the text of {@code advrank serve NAME --help} and docs/settings.md.
 */
public final class SettingsTable {
  private final String service;
  private final List<Setting<?>> own;
  private final Map<String, Set<String>> shared;

  private SettingsTable(String service, List<Setting<?>> own, Map<String, Set<String>> shared) {
    this.service = service;
    this.own = List.copyOf(own);
    this.shared = shared;
    Set<String> seen = new HashSet<>();
    for (Setting<?> s : own) {
      if (!seen.add(s.key())) {
        throw new IllegalArgumentException(service + ": setting '" + s.key() + "' declared twice");
      }
    }
  }

  /** The table of {@code service}'s own settings, in the order they are listed to users. */
  public static SettingsTable of(String service, Setting<?>... own) {
    return new SettingsTable(service, List.of(own), new LinkedHashMap<>());
  }

  /**
   * This table with a group of settings shared with other services, e.g. ("Kafka", {@link
   * KafkaSettings#KEYS}), documented where the group is.
   */
  public SettingsTable with(String group, Set<String> keys) {
    Map<String, Set<String>> more = new LinkedHashMap<>(shared);
    more.put(group, new TreeSet<>(keys));
    return new SettingsTable(service, own, more);
  }

  /** The service's name, e.g. {@code ranker}. */
  public String service() {
    return service;
  }

  /** The service's own settings. */
  public List<Setting<?>> own() {
    return own;
  }

  /** Every key the service reads, shared groups included. */
  public Set<String> keys() {
    Set<String> keys = new HashSet<>();
    own.forEach(s -> keys.add(s.key()));
    shared.values().forEach(keys::addAll);
    return Set.copyOf(keys);
  }

  /**
   * The settings as a Markdown table (key, default, accepted values, what it is for), then the
   * shared groups' keys: docs/settings.md and {@code --help}.
   */
  public String markdown() {
    StringBuilder out = new StringBuilder();
    out.append("| setting | default | accepted | what it is for |\n|---|---|---|---|\n");
    for (Setting<?> s : own) {
      out.append(
          "| `%s` | %s | %s | %s |\n"
              .formatted(
                  s.key(),
                  s.defaultText().isEmpty() ? "(empty)" : "`" + s.defaultText() + "`",
                  s.rule().replaceFirst("^must be ", ""),
                  s.doc()));
    }
    for (Map.Entry<String, Set<String>> group : shared.entrySet()) {
      List<String> keys = new ArrayList<>();
      group.getValue().forEach(k -> keys.add("`" + k + "`"));
      out.append("\n").append(group.getKey()).append(": ").append(String.join(", ", keys));
      out.append("\n");
    }
    return out.toString();
  }

  /** The settings as plain text for a terminal, one setting per paragraph. */
  public String text() {
    StringBuilder out = new StringBuilder();
    for (Setting<?> s : own) {
      out.append(
          "  --%s=%s   (%s)\n      %s; %s.\n"
              .formatted(s.key(), s.defaultText(), s.envName(), s.doc(), s.rule()));
    }
    for (Map.Entry<String, Set<String>> group : shared.entrySet()) {
      out.append("  ")
          .append(group.getKey())
          .append(": ")
          .append(String.join(", ", group.getValue()))
          .append("\n");
    }
    return out.toString();
  }
}
