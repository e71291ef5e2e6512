package io.advrank.cli.bench;

import io.advrank.cli.bench.BenchFuzzRecords.Kind;
import io.advrank.runtime.kafka.DeadLetters.Reason;
import io.advrank.runtime.model.Refusal;
import io.advrank.runtime.topic.Topics;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which of the services {@code bench fuzz} runs read each fuzzed topic, and what each must do with
 * a malformed record of each {@link Kind}: dead-letter it once with a reason, or take it without a
 * dead letter ({@link Optional#empty()}), because that service does not need what the record
 * breaks. The table of docs/fuzz.md, as code.
 *
 * <ul>
 *   <li>The attack-worker, the ranker and the monitor check everything of their inputs: the reason
 *       of the {@link Kind}.
 *   <li>The defense-trainer checks catalog items and adversarial variants as the attack-worker does
 *       (decode, then pixels against its model) but has no size limit: an oversized item is a valid
 *       item.
 *   <li>The console shows records; it dead-letters what does not parse ({@code malformed}), a
 *       tombstone on an event topic, a record without the id it keeps it by and a decision not
 *       keyed by its candidate or without its time ({@code invalid}); it checks no pixels and has
 *       no size limit.
 *   <li>On {@code advrank.models} the ranker, the attack-worker and the defense-trainer refuse
 *       through their model feed ({@code ModelFeed}): a chunk without a version is a malformed
 *       chunk there; the monitor, which reads only manifests, skips what it cannot read with a log
 *       line and is not counted.
 * </ul>
 */
final class BenchFuzzConsumers {
  static final String ATTACK_WORKER = "attack-worker";
  static final String RANKER = "ranker";
  static final String MONITOR = "monitor";
  static final String DEFENSE_TRAINER = "defense-trainer";
  static final String CONSOLE = "console";

  private static final Map<String, List<String>> READERS =
      Map.ofEntries(
          Map.entry(Topics.CATALOG.name(), List.of(ATTACK_WORKER, DEFENSE_TRAINER, CONSOLE)),
          Map.entry(Topics.QUERIES.name(), List.of(ATTACK_WORKER, CONSOLE)),
          Map.entry(Topics.CATALOG_DELIVERED.name(), List.of(RANKER, CONSOLE)),
          Map.entry(Topics.QUERIES_DELIVERED.name(), List.of(RANKER, CONSOLE)),
          Map.entry(Topics.RANKINGS.name(), List.of(MONITOR, CONSOLE)),
          Map.entry(Topics.CATALOG_OBSERVATIONS.name(), List.of(MONITOR)),
          Map.entry(Topics.ADVERSARIAL.name(), List.of(DEFENSE_TRAINER, CONSOLE)),
          Map.entry(Topics.RANK_SHIFTS.name(), List.of(CONSOLE)),
          Map.entry(Topics.ALERTS.name(), List.of(CONSOLE)),
          Map.entry(Topics.MODEL_DECISIONS.name(), List.of(CONSOLE)),
          Map.entry(
              Topics.MODELS.name(), List.of(RANKER, ATTACK_WORKER, DEFENSE_TRAINER, CONSOLE)));

  private static final Set<Kind> UNPARSEABLE = Set.of(Kind.RANDOM_BYTES, Kind.TRUNCATED);

  private BenchFuzzConsumers() {}

  /** The services that read {@code topic} and dead-letter what they refuse of it. */
  static List<String> of(String topic) {
    List<String> readers = READERS.get(topic);
    if (readers == null) {
      throw new IllegalArgumentException("not a fuzzed topic: " + topic);
    }
    return readers;
  }

  /** The reason {@code service} must dead-letter a {@code kind} record of {@code topic} with. */
  static Optional<Reason> expected(String topic, String service, Kind kind) {
    if (UNPARSEABLE.contains(kind)) {
      return Optional.of(Reason.MALFORMED);
    }
    if (topic.equals(Topics.MODELS.name())) {
      return model(service, kind);
    }
    return switch (service) {
      case DEFENSE_TRAINER -> kind == Kind.OVERSIZED ? Optional.empty() : Optional.of(kind.reason);
      case CONSOLE -> console(topic, kind);
      default -> Optional.of(kind.reason);
    };
  }

  private static Optional<Reason> console(String topic, Kind kind) {
    boolean refused =
        switch (kind) {
          case TOMBSTONE -> true; // fuzzed on event topics only
          case NULL_KEY -> true; // a query's key is its id, a decision's its candidate
          case WRONG_TYPE -> topic.equals(Topics.MODEL_DECISIONS.name()); // no decision time
          case MISSING_IDS ->
              !topic.equals(Topics.CATALOG.name())
                  && !topic.equals(Topics.CATALOG_DELIVERED.name())
                  && !topic.equals(Topics.QUERIES.name())
                  && !topic.equals(Topics.QUERIES_DELIVERED.name());
          default -> false;
        };
    return refused ? Optional.of(Reason.INVALID) : Optional.empty();
  }

  /**
   * What a model feed counts a {@code kind} record of {@code advrank.models} as, in {@code
   * advrank_model_refused_total{reason}}: the bench signs its tampered version and its activation
   * with the trusted key, so only the signature kinds are refused for their signature.
   */
  static Refusal modelRefusal(Kind kind) {
    return switch (kind) {
      case RANDOM_BYTES, TRUNCATED, MISSING_IDS -> Refusal.MALFORMED;
      case TAMPERED_WEIGHTS -> Refusal.TAMPERED;
      case MID_VERSION -> Refusal.TRUNCATED;
      case UNKNOWN_ACTIVATION -> Refusal.UNKNOWN_VERSION;
      case UNSIGNED, UNKNOWN_KEY, SIGNED_TAMPERED_WEIGHTS, TAMPERED_MANIFEST -> Refusal.SIGNATURE;
      default -> throw new IllegalArgumentException(kind + " is not a model kind");
    };
  }

  /** The services that read {@code advrank.models} through a model feed. */
  static List<String> modelFeeds() {
    return of(Topics.MODELS.name()).stream().filter(s -> !s.equals(CONSOLE)).toList();
  }

  private static Optional<Reason> model(String service, Kind kind) {
    if (service.equals(CONSOLE)) {
      return kind == Kind.MISSING_IDS ? Optional.of(Reason.INVALID) : Optional.empty();
    }
    // ModelAssembler: a chunk whose version is blank is a malformed chunk.
    return Optional.of(kind == Kind.MISSING_IDS ? Reason.MALFORMED : kind.reason);
  }
}
