package io.advrank.cli.bench;

import io.advrank.core.attack.AttackSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code bench pipeline} prints: the two figures of docs/speed.md beside their goals, as a
 * table or as JSON (snake_case keys, the same numbers). The attack figure pools the rounds after
 * the first (the steady state of a long-running worker; the first runs while the JIT compiles the
 * broker, the clients and the worker); every round is printed, so the cold first one is in plain
 * sight.
 */
record BenchPipelineReport(
    AttackSpec spec,
    int items,
    int gallery,
    int batch,
    List<Round> rounds,
    double queryRate,
    BenchPipelineLatency.Result benign) {

  /** One round of the attack comparison: the worker through Kafka, then core in-process. */
  record Round(BenchPipelineAttack.Run kafka, BenchPipelineAttack.Run inProcess) {
    double ratio() {
      return kafka.attacksPerSecond() / inProcess.attacksPerSecond();
    }
  }

  /** Goal (docs/speed.md): attacks through Kafka at no less than this share of in-process speed. */
  static final double GOAL_RATIO = 0.9;

  /** Goal (docs/speed.md): benign query latency p99 below this. */
  static final double GOAL_P99_MS = 50;

  BenchPipelineReport {
    if (rounds.isEmpty()) {
      throw new IllegalArgumentException("at least one round");
    }
    rounds = List.copyOf(rounds);
  }

  /** The rounds after the first, where the JVM is warm; the only round if there is one. */
  List<Round> warm() {
    return rounds.size() == 1 ? rounds : rounds.subList(1, rounds.size());
  }

  /**
   * Kafka attacks/s over in-process attacks/s, pooled over the warm rounds: every round attacks the
   * same number of items, so this is in-process seconds over Kafka seconds, summed.
   */
  double ratio() {
    double kafka = warm().stream().mapToDouble(r -> r.kafka().seconds()).sum();
    double inProcess = warm().stream().mapToDouble(r -> r.inProcess().seconds()).sum();
    return inProcess / kafka;
  }

  Map<String, Object> json() {
    Map<String, Object> attack = new LinkedHashMap<>();
    attack.put("type", spec.type().label());
    attack.put("epsilon", spec.epsilon());
    attack.put("w", spec.size());
    attack.put("items", items);
    attack.put("gallery", gallery);
    attack.put("batch", batch);
    Round last = rounds.get(rounds.size() - 1);
    attack.put("kafka", run(last.kafka()));
    attack.put("in_process", run(last.inProcess()));
    attack.put("ratio", ratio());
    attack.put("ratio_rounds", rounds.size() == 1 ? "1" : "2-" + rounds.size());
    List<Map<String, Object>> all = new ArrayList<>();
    for (Round r : rounds) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("kafka", run(r.kafka()));
      m.put("in_process", run(r.inProcess()));
      m.put("ratio", r.ratio());
      all.add(m);
    }
    attack.put("rounds", all);
    attack.put("goal_ratio", GOAL_RATIO);
    Map<String, Object> latency = new LinkedHashMap<>();
    latency.put("p50", benign.p50Ms());
    latency.put("p90", benign.p90Ms());
    latency.put("p99", benign.p99Ms());
    latency.put("max", benign.maxMs());
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("query_rate", queryRate);
    b.put("sent", benign.sent());
    b.put("attacked_not_timed", benign.attacked());
    b.put("answered", benign.answered());
    b.put("catalog_items", benign.catalogItems());
    b.put("latency_ms", latency);
    b.put("stages_p50_ms", stages(benign.p50Stages()));
    b.put("stages_p99_ms", stages(benign.p99Stages()));
    b.put("seconds", benign.seconds());
    b.put("events_per_s", benign.eventsPerSecond());
    b.put("goal_p99_ms", GOAL_P99_MS);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("attack", attack);
    out.put("benign", b);
    return out;
  }

  private static Map<String, Object> stages(BenchPipelineLatency.Stages s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("to_ranker", s.toRankerMs());
    m.put("in_ranker", s.inRankerMs());
    m.put("to_bench", s.toBenchMs());
    return m;
  }

  private static Map<String, Object> run(BenchPipelineAttack.Run r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("seconds", r.seconds());
    m.put("attacks_per_s", r.attacksPerSecond());
    m.put("rank_before", r.rankBefore());
    m.put("rank_after", r.rankAfter());
    m.put("pgd_runs", r.pgdRuns());
    m.put("pgd_seconds", r.pgdSeconds());
    return m;
  }

  String table() {
    StringBuilder s = new StringBuilder();
    attackTable(s);
    benignTable(s);
    return s.toString();
  }

  private void attackTable(StringBuilder s) {
    s.append(
        String.format(
            "attack throughput: %s eps=%s w=%d on %d items, gallery %d, batch %d, %d round%s%n",
            spec.type().label(),
            spec.epsilon(),
            spec.size(),
            items,
            gallery,
            batch,
            rounds.size(),
            rounds.size() == 1 ? "" : "s (round 1 in a cold JVM)"));
    s.append(
        String.format(
            "  %-5s %-11s %9s %11s %13s %12s %9s %7s %6s%n",
            "round",
            "",
            "seconds",
            "attacks/s",
            "rank before%",
            "rank after%",
            "PGD runs",
            "PGD s",
            "ratio"));
    for (int i = 0; i < rounds.size(); i++) {
      Round r = rounds.get(i);
      row(s, i + 1, "via Kafka", r.kafka(), "");
      row(s, i + 1, "in-process", r.inProcess(), "%.2f".formatted(r.ratio()));
    }
    s.append(
        String.format(
            "  ratio %.2f%s (goal >= %.1f: %s)%n",
            ratio(),
            rounds.size() == 1 ? "" : " over rounds 2-%d".formatted(rounds.size()),
            GOAL_RATIO,
            ratio() >= GOAL_RATIO ? "met" : "NOT met"));
  }

  private void benignTable(StringBuilder s) {
    s.append(
        String.format(
            "benign queries: %.0f/s offered, %d sent, %d answered, catalog %d items%s%n",
            queryRate,
            benign.sent() - benign.attacked(),
            benign.answered(),
            benign.catalogItems(),
            benign.attacked() == 0
                ? ""
                : "; %d more attacked meanwhile (not timed)".formatted(benign.attacked())));
    s.append(
        String.format(
            "  produce-to-ranking latency ms: p50 %.0f  p90 %.0f  p99 %.0f  max %.0f"
                + " (goal p99 < %.0f: %s)%n",
            benign.p50Ms(),
            benign.p90Ms(),
            benign.p99Ms(),
            benign.maxMs(),
            GOAL_P99_MS,
            benign.p99Ms() < GOAL_P99_MS ? "met" : "NOT met"));
    BenchPipelineLatency.Stages p50 = benign.p50Stages();
    BenchPipelineLatency.Stages p99 = benign.p99Stages();
    s.append(
        String.format(
            "  stages p50/p99 ms: produced->ranker (worker hop) %.0f/%.0f, in ranker %.0f/%.0f,"
                + " ranked->bench %.0f/%.0f%n",
            p50.toRankerMs(),
            p99.toRankerMs(),
            p50.inRankerMs(),
            p99.inRankerMs(),
            p50.toBenchMs(),
            p99.toBenchMs()));
    s.append(
        String.format(
            "  benign path: %.0f events/s sustained (queries forwarded + ranked) over %.1f s%n",
            benign.eventsPerSecond(), benign.seconds()));
  }

  private static void row(
      StringBuilder s, int round, String name, BenchPipelineAttack.Run r, String ratio) {
    s.append(
        String.format(
            "  %-5d %-11s %9.2f %11.2f %13.1f %12.1f %9d %7.2f %6s%n",
            round,
            name,
            r.seconds(),
            r.attacksPerSecond(),
            r.rankBefore(),
            r.rankAfter(),
            r.pgdRuns(),
            r.pgdSeconds(),
            ratio));
  }
}
