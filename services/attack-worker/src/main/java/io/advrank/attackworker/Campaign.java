package io.advrank.attackworker;

import io.advrank.core.attack.AttackProfile;
import io.advrank.core.attack.AttackType;
import io.advrank.core.attack.Epsilons;
import io.advrank.runtime.settings.SettingsException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the adversary does: a list of {@link CampaignAttack}s and a seed. Written as one setting,
 * attacks separated by {@code ;}, each a type followed by {@code key=value} words:
 *
 * <pre>
 * CA+ eps=0.1 w=1 fraction=0.2; SP-QA+ eps=0.1 m=1 fraction=0.2 targets=item-7
 * </pre>
 *
 * Keys: {@code eps} (required; {@code 0.1} or {@code 8/255}), {@code w} (CA±) or {@code m} (QA±,
 * default 1), {@code fraction} (required), {@code items} (CA±: comma-separated item ids the seller
 * controls), {@code targets} (QA±: comma-separated candidate item ids) and {@code profile} (the PGD
 * schedule: {@code paper}, the default, or {@code rob224} for 224-px photos). An empty campaign
 * forwards everything unchanged.
 *
 * <p><b>Deterministic choice.</b> Each event's fate depends only on the seed and its event id: it
 * is hashed to u ∈ [0, 1), and the lines of its stream (CA± for the catalog, QA± for queries) that
 * accept its item take consecutive slices of [0, 1) of their {@code fraction}s. A replay, a restart
 * after a crash or another worker instance therefore makes the same choice for the same event.
 */
public record Campaign(List<CampaignAttack> attacks, long seed) {
  private static final Set<String> KEYS =
      Set.of("eps", "w", "m", "fraction", "items", "targets", "profile");

  public Campaign {
    attacks = List.copyOf(attacks);
    for (boolean catalog : new boolean[] {true, false}) {
      double sum =
          attacks.stream()
              .filter(a -> a.onCatalog() == catalog)
              .mapToDouble(a -> a.fraction())
              .sum();
      if (sum > 1 + 1e-9) {
        throw new SettingsException(
            "campaign: the fractions of the %s attacks add up to %s, more than 1"
                .formatted(catalog ? "catalog (CA)" : "query (QA)", sum));
      }
    }
  }

  /** No attacks: every event is forwarded unchanged. */
  public static Campaign none() {
    return new Campaign(List.of(), 0);
  }

  /**
   * Parses the campaign text.
   *
   * @throws SettingsException naming the unknown type, key or bad value and what is accepted
   */
  public static Campaign parse(String text, long seed) {
    List<CampaignAttack> attacks = new ArrayList<>();
    for (String line : text.split(";")) {
      if (!line.isBlank()) {
        attacks.add(parseLine(line.trim()));
      }
    }
    return new Campaign(attacks, seed);
  }

  private static CampaignAttack parseLine(String line) {
    String[] words = line.split("\\s+");
    AttackType type;
    try {
      type = AttackType.parse(words[0]);
    } catch (IllegalArgumentException e) {
      throw new SettingsException("campaign: " + e.getMessage() + " in '" + line + "'");
    }
    Map<String, String> values = keyValues(line, Arrays.copyOfRange(words, 1, words.length));
    String sizeKey = CampaignAttack.sizeKey(type);
    String otherSize = sizeKey.equals("w") ? "m" : "w";
    if (values.containsKey(otherSize)) {
      throw new SettingsException(
          "campaign: %s takes %s=, not %s= in '%s'".formatted(type, sizeKey, otherSize, line));
    }
    try {
      return new CampaignAttack(
          type,
          number(values, "eps", null, line),
          (int) number(values, sizeKey, 1.0, line),
          number(values, "fraction", null, line),
          new HashSet<>(ids(values.get("items"))),
          ids(values.get("targets")),
          profile(values.get("profile"), line));
    } catch (IllegalArgumentException e) {
      throw e instanceof SettingsException s
          ? s
          : new SettingsException("campaign: " + e.getMessage());
    }
  }

  private static Map<String, String> keyValues(String line, String[] words) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String word : words) {
      int eq = word.indexOf('=');
      String key = eq < 0 ? word : word.substring(0, eq);
      if (eq < 0 || !KEYS.contains(key)) {
        throw new SettingsException(
            "campaign: unknown %s '%s' in '%s'; accepted keys: %s"
                .formatted(eq < 0 ? "word" : "key", key, line, new TreeSet<>(KEYS)));
      }
      if (values.put(key, word.substring(eq + 1)) != null) {
        throw new SettingsException("campaign: key '" + key + "' given twice in '" + line + "'");
      }
    }
    return values;
  }

  private static double number(Map<String, String> values, String key, Double dflt, String line) {
    String raw = values.get(key);
    if (raw == null) {
      if (dflt == null) {
        throw new SettingsException("campaign: '" + line + "' needs " + key + "=");
      }
      return dflt;
    }
    try {
      double v = key.equals("eps") ? Epsilons.parse(raw) : Double.parseDouble(raw);
      if (!Double.isFinite(v)
          || (!key.equals("eps") && !key.equals("fraction") && v != Math.rint(v))) {
        throw new NumberFormatException();
      }
      return v;
    } catch (IllegalArgumentException e) { // NumberFormatException is one
      throw new SettingsException(
          "campaign: bad value '%s' for %s in '%s'".formatted(raw, key, line));
    }
  }

  private static AttackProfile profile(String raw, String line) {
    try {
      return raw == null ? AttackProfile.PAPER : AttackProfile.parse(raw);
    } catch (IllegalArgumentException e) {
      throw new SettingsException("campaign: " + e.getMessage() + " in '" + line + "'");
    }
  }

  private static List<String> ids(String raw) {
    if (raw == null || raw.equals("random")) {
      return List.of();
    }
    List<String> ids = Arrays.stream(raw.split(",")).map(String::trim).toList();
    if (ids.contains("")) {
      throw new SettingsException("campaign: empty item id in '" + raw + "'");
    }
    return ids;
  }

  /** The attack for an event of {@code itemId} on the catalog or the queries, or none (benign). */
  /** Whether the campaign attacks this event (a pure function of its ids and the seed). */
  public boolean attacks(boolean catalog, String eventId, String itemId) {
    return choose(catalog, eventId, itemId).isPresent();
  }

  Optional<CampaignAttack> choose(boolean catalog, String eventId, String itemId) {
    double u = unit(seed, eventId);
    double upTo = 0;
    for (CampaignAttack a : attacks) {
      if (a.onCatalog() == catalog && a.eligible(itemId)) {
        upTo += a.fraction();
        if (u < upTo) {
          return Optional.of(a);
        }
      }
    }
    return Optional.empty();
  }

  /** The seed of an event's own random choices (its targets): stable across replays. */
  long eventSeed(String eventId) {
    return hash(seed ^ 0x5DEECE66DL, eventId);
  }

  /** u ∈ [0, 1) from the seed and the event id: 53 bits of a 64-bit hash. */
  static double unit(long seed, String eventId) {
    return (hash(seed, eventId) >>> 11) * 0x1.0p-53;
  }

  /** FNV-1a over the UTF-8 bytes, then SplitMix64's finaliser to spread the bits. */
  static long hash(long seed, String text) {
    long h = 0xcbf29ce484222325L ^ seed;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
    h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
    return h ^ (h >>> 31);
  }

  /** One line per attack, for the start-up log. */
  public String describe() {
    return attacks.isEmpty()
        ? "no attacks (forward only)"
        : String.join("; ", attacks.stream().map(CampaignAttack::describe).toList());
  }
}
