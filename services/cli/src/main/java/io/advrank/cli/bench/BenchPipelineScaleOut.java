package io.advrank.cli.bench;

import io.advrank.attackworker.AttackWorkerService;
import io.advrank.attackworker.AttackWorkerSettings;
import io.advrank.proto.v1.RankShift;
import io.advrank.runtime.topic.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * {@code bench pipeline --workers 1,2}: the same CA+ uploads served by 1, then 2 (...)
 * attack-workers of one consumer group, each with its own registry, in this JVM. What it shows is
 * the split (each worker's share of the attacks, from its own {@code advrank_attacks_total}) and
 * the correctness (one rank shift per upload, none twice, by item id). In one JVM the workers share
 * one gradient lane, and here two cores, so the time is not a speed-up figure; separate processes
 * on separate machines (GPU nodes) add their throughput.
 */
final class BenchPipelineScaleOut {
  private static final Duration TIMEOUT = Duration.ofMinutes(10);

  /** One worker count's result. */
  record Run(
      int workers, List<Long> attacksPerWorker, int shifts, int duplicates, double seconds) {}

  private BenchPipelineScaleOut() {}

  static Run run(
      BenchPipelineKafka kafka,
      BenchPipelineEvents events,
      int gallery,
      int items,
      int workers,
      Function<Integer, AttackWorkerSettings> settingsOf)
      throws Exception {
    List<AttackWorkerService> started = new ArrayList<>();
    List<SimpleMeterRegistry> registries = new ArrayList<>();
    String group = settingsOf.apply(0).groupId();
    kafka.startGroupAt(group, kafka.endOffsets(List.of(Topics.CATALOG, Topics.QUERIES)));
    try (Consumer<String, RankShift> shifts = kafka.tail(Topics.RANK_SHIFTS)) {
      for (int w = 0; w < workers; w++) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AttackWorkerService worker =
            AttackWorkerService.create(settingsOf.apply(w), Clock.systemUTC(), registry);
        started.add(worker);
        registries.add(registry);
        worker.start();
      }
      for (AttackWorkerService worker : started) {
        if (!worker.awaitReady(Duration.ofMinutes(5))) {
          throw new TimeoutException("an attack-worker did not load its gallery in 5 minutes");
        }
      }
      kafka.awaitMembers(group, workers, Duration.ofMinutes(2));
      System.err.printf("bench pipeline: %d CA+ uploads for %d worker(s)%n", items, workers);
      long t0 = System.nanoTime();
      for (int i = gallery; i < gallery + items; i++) {
        kafka.send(Topics.CATALOG, events.catalogItem(i));
      }
      kafka.flush();
      Map<String, Integer> got = new HashMap<>();
      String prefix = events.itemPrefix();
      while (got.size() < items) {
        for (ConsumerRecord<String, RankShift> r : shifts.poll(Duration.ofMillis(200))) {
          if (r.key() != null && r.key().startsWith(prefix)) {
            got.merge(r.key(), 1, Integer::sum);
          }
        }
        for (AttackWorkerService worker : started) {
          if (worker.failure().isPresent()) {
            throw new IllegalStateException("an attack-worker failed: " + worker.failure().get());
          }
        }
        if (System.nanoTime() - t0 > TIMEOUT.toNanos()) {
          throw new TimeoutException(got.size() + " of " + items + " rank shifts in " + TIMEOUT);
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      // Late duplicates would arrive within a poll or two of the last shift.
      for (ConsumerRecord<String, RankShift> r : shifts.poll(Duration.ofSeconds(2))) {
        if (r.key() != null && r.key().startsWith(prefix)) {
          got.merge(r.key(), 1, Integer::sum);
        }
      }
      int duplicates = got.values().stream().mapToInt(c -> c - 1).sum();
      List<Long> perWorker = new ArrayList<>();
      for (SimpleMeterRegistry r : registries) {
        perWorker.add(
            Math.round(
                r.find("advrank.attacks").counters().stream().mapToDouble(Counter::count).sum()));
      }
      return new Run(workers, perWorker, got.size(), duplicates, seconds);
    } finally {
      started.forEach(AttackWorkerService::close);
    }
  }

  static Map<String, Object> json(List<Run> runs, int items) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("items", items);
    out.put("runs", runs);
    return out;
  }

  static String table(List<Run> runs, int items) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            "CA+ on %d uploads, attack-workers in one consumer group (4 partitions)%n", items));
    b.append(
        String.format(
            "%-8s %-24s %8s %10s %8s%n",
            "workers", "attacks per worker", "shifts", "duplicates", "seconds"));
    for (Run r : runs) {
      b.append(
          String.format(
              "%-8d %-24s %8d %10d %8.1f%n",
              r.workers(), r.attacksPerWorker(), r.shifts(), r.duplicates(), r.seconds()));
    }
    b.append(
        "(one JVM, one gradient lane, two cores: the split and the counts are the figure, "
            + "not the time)\n");
    return b.toString();
  }
}
