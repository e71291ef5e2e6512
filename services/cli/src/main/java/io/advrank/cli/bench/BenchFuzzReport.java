package io.advrank.cli.bench;

import io.advrank.cli.bench.BenchFuzzRecords.Kind;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code bench fuzz} sent and what came out: each malformed record by its source topic,
 * partition and offset against the dead letters that name it, and each valid record against its
 * output (a ranking, a catalog observation). Thread-safe: the producer's callbacks record offsets.
 */
final class BenchFuzzReport {
  private record Source(String topic, int partition, long offset) {}

  /** Counts of one topic × kind. */
  static final class Row {
    long sent;
    long sendFailed;
    long right;
    long wrong;
    long missing;
    long extra;
  }

  /** Valid traffic of one topic: ids sent, and how often each came out. */
  static final class Valid {
    final Map<String, Integer> out = new HashMap<>();
    long unexpectedDeadLetters;
  }

  private final Map<String, Map<Kind, Row>> rows = new LinkedHashMap<>();
  private final Map<String, Valid> valid = new LinkedHashMap<>();
  private final Map<Source, Kind> expected = new HashMap<>();
  private final Map<Source, List<String>> letters = new HashMap<>();
  private final Map<String, String> services = new LinkedHashMap<>();

  synchronized void topic(String topic) {
    rows.put(topic, new EnumMap<>(Kind.class));
    valid.put(topic, new Valid());
  }

  /** A malformed record the broker acknowledged at {@code partition}/{@code offset}. */
  synchronized void sent(String topic, Kind kind, int partition, long offset) {
    row(topic, kind).sent++;
    expected.put(new Source(topic, partition, offset), kind);
  }

  /** A malformed record the broker refused: counted, never expected as a dead letter. */
  synchronized void sendFailed(String topic, Kind kind) {
    row(topic, kind).sendFailed++;
  }

  /** A valid record of {@code topic} whose output is keyed by {@code id}. */
  synchronized void validSent(String topic, String id) {
    valid.get(topic).out.put(id, 0);
  }

  /** An output (ranking, observation) of the valid record {@code id}, if it is one of ours. */
  synchronized void delivered(String id) {
    for (Valid v : valid.values()) {
      v.out.computeIfPresent(id, (k, n) -> n + 1);
    }
  }

  synchronized void deadLetter(String topic, int partition, long offset, String reason) {
    Source s = new Source(topic, partition, offset);
    if (expected.containsKey(s)) {
      letters.computeIfAbsent(s, k -> new ArrayList<>()).add(reason);
    } else if (valid.containsKey(topic)) {
      valid.get(topic).unexpectedDeadLetters++; // a valid record (or a seed) was dead-lettered
    }
  }

  /** Dead letters seen of those expected, and valid records out of those sent, for progress. */
  synchronized String progress() {
    long out =
        valid.values().stream()
            .mapToLong(v -> v.out.values().stream().filter(n -> n > 0).count())
            .sum();
    long sent = valid.values().stream().mapToLong(v -> v.out.size()).sum();
    return "%d of %d dead letters, %d of %d valid records out"
        .formatted(letters.size(), expected.size(), out, sent);
  }

  synchronized void service(String name, String state) {
    services.put(name, state);
  }

  /** Whether every malformed record has a dead letter and every valid one an output. */
  synchronized boolean complete() {
    return letters.size() == expected.size()
        && valid.values().stream().allMatch(v -> !v.out.containsValue(0));
  }

  /** Tallies right, wrong, missing and extra dead letters; call once, after the last poll. */
  synchronized void tally() {
    expected.forEach(
        (s, kind) -> {
          Row row = row(s.topic(), kind);
          List<String> got = letters.getOrDefault(s, List.of());
          if (got.isEmpty()) {
            row.missing++;
          } else if (got.size() == 1 && got.get(0).equals(kind.reason.label())) {
            row.right++;
          } else if (got.contains(kind.reason.label())) {
            row.extra++; // the right reason, but more than one dead letter
          } else {
            row.wrong++;
          }
        });
  }

  synchronized boolean passed() {
    boolean malformed =
        rows.values().stream()
            .flatMap(m -> m.values().stream())
            .allMatch(r -> r.right == r.sent && r.sent > 0);
    boolean validOk =
        valid.values().stream()
            .allMatch(
                v -> v.unexpectedDeadLetters == 0 && v.out.values().stream().allMatch(n -> n == 1));
    return malformed && validOk && services.values().stream().allMatch("UP"::equals);
  }

  synchronized Map<String, Object> json(long records, long seed, double seconds) {
    List<Object> topics = new ArrayList<>();
    rows.forEach(
        (topic, kinds) -> {
          Map<String, Object> t = new LinkedHashMap<>();
          t.put("topic", topic);
          List<Object> ks = new ArrayList<>();
          kinds.forEach(
              (kind, r) -> {
                Map<String, Object> k = new LinkedHashMap<>();
                k.put("kind", kind.label());
                k.put("expected_reason", kind.reason.label());
                k.put("sent", r.sent);
                k.put("refused_by_broker", r.sendFailed);
                k.put("right_reason", r.right);
                k.put("wrong_reason", r.wrong);
                k.put("more_than_one", r.extra);
                k.put("missing", r.missing);
                ks.add(k);
              });
          t.put("kinds", ks);
          Valid v = valid.get(topic);
          t.put("valid_sent", v.out.size());
          t.put("valid_delivered_once", v.out.values().stream().filter(n -> n == 1).count());
          t.put("valid_lost", v.out.values().stream().filter(n -> n == 0).count());
          t.put("valid_duplicated", v.out.values().stream().filter(n -> n > 1).count());
          t.put("valid_dead_lettered", v.unexpectedDeadLetters);
          topics.add(t);
        });
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("records_per_topic", records);
    out.put("seed", seed);
    out.put("seconds", seconds);
    out.put("topics", topics);
    out.put("services", services);
    out.put("passed", passed());
    return out;
  }

  synchronized String table(double seconds) {
    StringBuilder s = new StringBuilder();
    String fmt = "%-28s %-20s %-12s %7s %7s %6s %6s %7s%n";
    s.append(
        fmt.formatted("topic", "kind", "reason", "sent", "right", "wrong", "extra", "missing"));
    rows.forEach(
        (topic, kinds) -> {
          kinds.forEach(
              (kind, r) ->
                  s.append(
                      fmt.formatted(
                          topic,
                          kind.label(),
                          kind.reason.label(),
                          r.sent,
                          r.right,
                          r.wrong,
                          r.extra,
                          r.missing)));
          Valid v = valid.get(topic);
          if (v.out.isEmpty()) {
            s.append(
                "%-28s %-20s the ranker's output, dead-lettered %d%n"
                    .formatted(topic, "valid", v.unexpectedDeadLetters));
            return;
          }
          s.append(
              "%-28s %-20s sent %d, delivered once %d, lost %d, duplicated %d, dead-lettered %d%n"
                  .formatted(
                      topic,
                      "valid",
                      v.out.size(),
                      v.out.values().stream().filter(n -> n == 1).count(),
                      v.out.values().stream().filter(n -> n == 0).count(),
                      v.out.values().stream().filter(n -> n > 1).count(),
                      v.unexpectedDeadLetters));
        });
    services.forEach((name, state) -> s.append("service %s: %s%n".formatted(name, state)));
    s.append("%.1f s%n".formatted(seconds));
    s.append(passed() ? "PASSED\n" : "FAILED\n");
    return s.toString();
  }

  private Row row(String topic, Kind kind) {
    return rows.get(topic).computeIfAbsent(kind, k -> new Row());
  }
}
