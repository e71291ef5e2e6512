package io.advrank.cli;

import io.advrank.core.attack.AttackSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code bench pipeline} prints: the two figures of issue #4 beside their goals, as a table or
 * as JSON (snake_case keys, the same numbers).
 */
record BenchPipelineReport(
    AttackSpec spec,
    int items,
    int gallery,
    int batch,
    BenchPipelineAttack.Run kafka,
    BenchPipelineAttack.Run inProcess,
    double queryRate,
    BenchPipelineLatency.Result benign) {

  /** Goal of issue #4: attacks through Kafka at no less than this share of in-process speed. */
  static final double GOAL_RATIO = 0.9;

  /** Goal of issue #4: benign query latency p99 below this. */
  static final double GOAL_P99_MS = 50;

  double ratio() {
    return kafka.attacksPerSecond() / inProcess.attacksPerSecond();
  }

  Map<String, Object> json() {
    Map<String, Object> attack = new LinkedHashMap<>();
    attack.put("type", spec.type().label());
    attack.put("epsilon", spec.epsilon());
    attack.put("w", spec.size());
    attack.put("items", items);
    attack.put("gallery", gallery);
    attack.put("batch", batch);
    attack.put("kafka", run(kafka));
    attack.put("in_process", run(inProcess));
    attack.put("ratio", ratio());
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
            "attack throughput: %s eps=%s w=%d on %d items, gallery %d, batch %d%n",
            spec.type().label(), spec.epsilon(), spec.size(), items, gallery, batch));
    s.append(
        String.format(
            "  %-11s %9s %11s %13s %12s %9s%n",
            "", "seconds", "attacks/s", "rank before%", "rank after%", "PGD runs"));
    row(s, "via Kafka", kafka);
    row(s, "in-process", inProcess);
    s.append(
        String.format(
            "  ratio %.2f (goal >= %.1f: %s)%n",
            ratio(), GOAL_RATIO, ratio() >= GOAL_RATIO ? "met" : "NOT met"));
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

  private static void row(StringBuilder s, String name, BenchPipelineAttack.Run r) {
    s.append(
        String.format(
            "  %-11s %9.2f %11.2f %13.1f %12.1f %9d%n",
            name, r.seconds(), r.attacksPerSecond(), r.rankBefore(), r.rankAfter(), r.pgdRuns()));
  }
}
