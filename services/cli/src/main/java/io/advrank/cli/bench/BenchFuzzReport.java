package io.advrank.cli.bench;

import io.advrank.cli.bench.BenchFuzzRecords.Kind;
import io.advrank.runtime.kafka.DeadLetters.Reason;
import io.advrank.runtime.topic.Topics;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What {@code bench fuzz} sent and what came out: each malformed record by its source topic,
 * partition and offset against the dead letters that name it, service by service ({@link
 * BenchFuzzConsumers} says which services read a topic and what each must do), and each valid
 * record against its output (a ranking, a catalog observation) or, where it has none the bench can
 * see, against the dead letters alone. Thread-safe: the producer's callbacks record offsets.
 */
final class BenchFuzzReport {
  private record Source(String topic, int partition, long offset) {}

  private record Awaited(Source source, String service) {}

  /** Counts of one topic × kind × consuming service. */
  static final class Row {
    long right;
    long wrong;
    long missing;
    long extra;
  }

  /** One topic × kind: records sent, and a row per service that reads the topic. */
  static final class KindRow {
    long sent;
    long sendFailed;
    final Map<String, Row> services = new LinkedHashMap<>();
  }

  /** Valid traffic of one topic: ids sent and how often each came out, or only a count. */
  static final class Valid {
    final Map<String, Integer> out = new HashMap<>();
    long unobserved; // valid records with no output to see: only their dead letters are counted
    long unexpectedDeadLetters;

    long sent() {
      return out.size() + unobserved;
    }
  }

  private final Map<String, Map<Kind, KindRow>> rows = new LinkedHashMap<>();
  private final Map<String, Valid> valid = new LinkedHashMap<>();
  private final Map<Source, Kind> expected = new HashMap<>();
  private final Map<Source, Map<String, List<String>>> letters = new HashMap<>();
  private final Set<Awaited> awaited = new HashSet<>();
  private final Map<String, Long> stray = new LinkedHashMap<>(); // by topic: a non-reader's letter
  private final Map<String, Map<String, Long>> byService = new TreeMap<>();
  private final Map<String, String> services = new LinkedHashMap<>();
  // model feed -> refusal label -> advrank_model_refused_total at the end
  private final Map<String, Map<String, Long>> refused = new TreeMap<>();
  private final Map<String, List<String>> served = new TreeMap<>(); // service -> [before, after]

  synchronized void topic(String topic) {
    rows.put(topic, new EnumMap<>(Kind.class));
    valid.put(topic, new Valid());
    stray.put(topic, 0L);
  }

  /** A malformed record the broker acknowledged at {@code partition}/{@code offset}. */
  synchronized void sent(String topic, Kind kind, int partition, long offset) {
    row(topic, kind).sent++;
    Source s = new Source(topic, partition, offset);
    expected.put(s, kind);
    for (String service : BenchFuzzConsumers.of(topic)) {
      if (BenchFuzzConsumers.expected(topic, service, kind).isPresent()) {
        awaited.add(new Awaited(s, service));
      }
    }
  }

  /** A malformed record the broker refused: counted, never expected as a dead letter. */
  synchronized void sendFailed(String topic, Kind kind) {
    row(topic, kind).sendFailed++;
  }

  /** A valid record of {@code topic} whose output is keyed by {@code id}. */
  synchronized void validSent(String topic, String id) {
    valid.get(topic).out.put(id, 0);
  }

  /** A valid record of {@code topic} with no output the bench reads: it must get no dead letter. */
  synchronized void validSent(String topic) {
    valid.get(topic).unobserved++;
  }

  /** An output (ranking, observation) of the valid record {@code id}, if it is one of ours. */
  synchronized void delivered(String id) {
    for (Valid v : valid.values()) {
      v.out.computeIfPresent(id, (k, n) -> n + 1);
    }
  }

  synchronized void deadLetter(
      String topic, int partition, long offset, String service, String reason) {
    byService.computeIfAbsent(service, k -> new TreeMap<>()).merge(topic, 1L, Long::sum);
    Source s = new Source(topic, partition, offset);
    if (expected.containsKey(s)) {
      if (!BenchFuzzConsumers.of(topic).contains(service)) {
        stray.merge(topic, 1L, Long::sum);
        return;
      }
      letters
          .computeIfAbsent(s, k -> new HashMap<>())
          .computeIfAbsent(service, k -> new ArrayList<>())
          .add(reason);
      awaited.remove(new Awaited(s, service));
    } else if (valid.containsKey(topic)) {
      valid.get(topic).unexpectedDeadLetters++; // a valid record (or a seed) was dead-lettered
    }
  }

  /** Dead letters awaited and valid records out of those sent, for progress. */
  synchronized String progress() {
    long out =
        valid.values().stream()
            .mapToLong(v -> v.out.values().stream().filter(n -> n > 0).count())
            .sum();
    long sent = valid.values().stream().mapToLong(v -> v.out.size()).sum();
    return "%d dead letters still awaited, %d of %d valid records out"
        .formatted(awaited.size(), out, sent);
  }

  synchronized void service(String name, String state) {
    services.put(name, state);
  }

  /** {@code advrank_model_refused_total{service,reason}} of a model feed at the end of the run. */
  synchronized void modelRefused(String service, String reason, long count) {
    refused.computeIfAbsent(service, k -> new TreeMap<>()).merge(reason, count, Long::sum);
  }

  /** The version {@code service} served before the malformed versions and at the end. */
  synchronized void modelServed(String service, String before, String after) {
    served.put(service, List.of(before, after));
  }

  /** What each model feed must have counted: every model record sent, by its kind's refusal. */
  private Map<String, Map<String, Long>> refusalsDue() {
    Map<String, Map<String, Long>> due = new TreeMap<>();
    Map<Kind, KindRow> models = rows.getOrDefault(Topics.MODELS.name(), Map.of());
    for (String service : BenchFuzzConsumers.modelFeeds()) {
      Map<String, Long> m = due.computeIfAbsent(service, k -> new TreeMap<>());
      models.forEach(
          (kind, k) -> m.merge(BenchFuzzConsumers.modelRefusal(kind).label(), k.sent, Long::sum));
    }
    return due;
  }

  /** Whether every model feed counted exactly its due refusals and still serves what it served. */
  private boolean modelsOk() {
    return refusalsDue().equals(refused)
        && served.values().stream().allMatch(v -> v.get(0).equals(v.get(1)));
  }

  /** Whether every due dead letter came and every valid record with an output has one. */
  synchronized boolean complete() {
    return awaited.isEmpty() && valid.values().stream().allMatch(v -> !v.out.containsValue(0));
  }

  /** Tallies right, wrong, missing and extra dead letters; call once, after the last poll. */
  synchronized void tally() {
    expected.forEach(
        (s, kind) -> {
          Map<String, List<String>> bySvc = letters.getOrDefault(s, Map.of());
          for (String service : BenchFuzzConsumers.of(s.topic())) {
            Row row = row(s.topic(), kind).services.computeIfAbsent(service, k -> new Row());
            List<String> got = bySvc.getOrDefault(service, List.of());
            Optional<Reason> due = BenchFuzzConsumers.expected(s.topic(), service, kind);
            if (due.isEmpty()) {
              if (got.isEmpty()) {
                row.right++; // taken without a dead letter, as it should be
              } else {
                row.wrong++;
              }
            } else if (got.isEmpty()) {
              row.missing++;
            } else if (got.size() == 1 && got.get(0).equals(due.get().label())) {
              row.right++;
            } else if (got.contains(due.get().label())) {
              row.extra++; // the right reason, but more than one dead letter
            } else {
              row.wrong++;
            }
          }
        });
  }

  synchronized boolean passed() {
    boolean malformed =
        rows.values().stream()
            .flatMap(m -> m.values().stream())
            .allMatch(
                k ->
                    k.sent > 0
                        && !k.services.isEmpty()
                        && k.services.values().stream().allMatch(r -> r.right == k.sent));
    boolean validOk =
        valid.values().stream()
            .allMatch(
                v -> v.unexpectedDeadLetters == 0 && v.out.values().stream().allMatch(n -> n == 1));
    boolean noStray = stray.values().stream().allMatch(n -> n == 0);
    return malformed
        && validOk
        && noStray
        && modelsOk()
        && services.values().stream().allMatch("UP"::equals);
  }

  synchronized Map<String, Object> json(long records, long seed, double seconds) {
    List<Object> topics = new ArrayList<>();
    rows.forEach(
        (topic, kinds) -> {
          Map<String, Object> t = new LinkedHashMap<>();
          t.put("topic", topic);
          t.put("read_by", BenchFuzzConsumers.of(topic));
          List<Object> ks = new ArrayList<>();
          kinds.forEach(
              (kind, k) -> {
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("kind", kind.label());
                j.put("sent", k.sent);
                j.put("refused_by_broker", k.sendFailed);
                List<Object> svcs = new ArrayList<>();
                k.services.forEach(
                    (service, r) -> {
                      Map<String, Object> e = new LinkedHashMap<>();
                      e.put("service", service);
                      e.put("expected_reason", due(topic, service, kind));
                      e.put("right", r.right);
                      e.put("wrong", r.wrong);
                      e.put("more_than_one", r.extra);
                      e.put("missing", r.missing);
                      svcs.add(e);
                    });
                j.put("services", svcs);
                ks.add(j);
              });
          t.put("kinds", ks);
          Valid v = valid.get(topic);
          t.put("valid_sent", v.sent());
          t.put("valid_with_output", (long) v.out.size());
          t.put("valid_delivered_once", v.out.values().stream().filter(n -> n == 1).count());
          t.put("valid_lost", v.out.values().stream().filter(n -> n == 0).count());
          t.put("valid_duplicated", v.out.values().stream().filter(n -> n > 1).count());
          t.put("valid_dead_lettered", v.unexpectedDeadLetters);
          t.put("dead_letters_from_non_readers", stray.get(topic));
          topics.add(t);
        });
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("records_per_topic", records);
    out.put("seed", seed);
    out.put("seconds", seconds);
    out.put("topics", topics);
    out.put("dead_letters_by_service", byService);
    out.put("services", services);
    out.put("model_refused_due", refusalsDue());
    out.put("model_refused_counted", refused);
    out.put("model_served_before_after", served);
    out.put("passed", passed());
    return out;
  }

  synchronized String table(double seconds) {
    StringBuilder s = new StringBuilder();
    String fmt = "%-28s %-23s %-16s %-11s %6s %6s %6s %6s %7s%n";
    s.append(
        fmt.formatted(
            "topic", "kind", "service", "reason", "sent", "right", "wrong", "extra", "missing"));
    rows.forEach(
        (topic, kinds) -> {
          kinds.forEach(
              (kind, k) ->
                  k.services.forEach(
                      (service, r) ->
                          s.append(
                              fmt.formatted(
                                  topic,
                                  kind.label(),
                                  service,
                                  due(topic, service, kind),
                                  k.sent,
                                  r.right,
                                  r.wrong,
                                  r.extra,
                                  r.missing))));
          s.append(validLine(topic, valid.get(topic)));
          if (stray.get(topic) > 0) {
            s.append(
                "%-28s %d dead letters from services that do not read it%n"
                    .formatted(topic, stray.get(topic)));
          }
        });
    s.append("dead letters by service and source topic:\n");
    byService.forEach(
        (service, counts) ->
            counts.forEach(
                (topic, n) -> s.append("  %-16s %-28s %8d%n".formatted(service, topic, n))));
    Map<String, Map<String, Long>> due = refusalsDue();
    s.append("advrank_model_refused_total by model feed (counted / due):\n");
    due.forEach(
        (service, byReason) ->
            byReason.forEach(
                (reason, n) ->
                    s.append(
                        "  %-16s %-16s %8d / %d%n"
                            .formatted(
                                service,
                                reason,
                                refused.getOrDefault(service, Map.of()).getOrDefault(reason, 0L),
                                n))));
    refused.forEach(
        (service, byReason) ->
            byReason.forEach(
                (reason, n) -> {
                  if (!due.getOrDefault(service, Map.of()).containsKey(reason)) {
                    s.append("  %-16s %-16s %8d / 0%n".formatted(service, reason, n));
                  }
                }));
    served.forEach(
        (service, v) ->
            s.append(
                "model served by %s: %s before, %s at the end%n"
                    .formatted(service, v.get(0), v.get(1))));
    services.forEach((name, state) -> s.append("service %s: %s%n".formatted(name, state)));
    s.append("%.1f s%n".formatted(seconds));
    s.append(passed() ? "PASSED\n" : "FAILED\n");
    return s.toString();
  }

  private static String validLine(String topic, Valid v) {
    if (v.sent() == 0) {
      return "%-28s %-23s none sent (the services' own output), dead-lettered %d%n"
          .formatted(topic, "valid", v.unexpectedDeadLetters);
    }
    if (v.out.isEmpty()) {
      return "%-28s %-23s sent %d (no output to see), dead-lettered %d%n"
          .formatted(topic, "valid", v.unobserved, v.unexpectedDeadLetters);
    }
    return "%-28s %-23s sent %d, delivered once %d, lost %d, duplicated %d, dead-lettered %d%n"
        .formatted(
            topic,
            "valid",
            v.out.size(),
            v.out.values().stream().filter(n -> n == 1).count(),
            v.out.values().stream().filter(n -> n == 0).count(),
            v.out.values().stream().filter(n -> n > 1).count(),
            v.unexpectedDeadLetters);
  }

  private static String due(String topic, String service, Kind kind) {
    return BenchFuzzConsumers.expected(topic, service, kind).map(Reason::label).orElse("none");
  }

  private KindRow row(String topic, Kind kind) {
    return rows.get(topic).computeIfAbsent(kind, k -> new KindRow());
  }
}
