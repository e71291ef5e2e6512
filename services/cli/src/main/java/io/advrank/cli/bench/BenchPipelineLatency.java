package io.advrank.cli.bench;

import io.advrank.attackworker.AttackWorkerService;
import io.advrank.attackworker.AttackWorkerSettings;
import io.advrank.attackworker.Campaign;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.RankingResult;
import io.advrank.ranker.RankerService;
import io.advrank.ranker.RankerSettings;
import io.advrank.runtime.topic.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Part 2 of {@code bench pipeline}: benign query latency. An attack-worker with an empty campaign
 * forwards every event unchanged and a ranker serves the catalog; shopper queries go to {@code
 * advrank.queries} at a fixed rate, and each query's latency runs from its {@code produced_at_ms}
 * to the moment the bench's {@code read_committed} consumer of {@code advrank.rankings} receives
 * its {@link RankingResult}. A warm-up of queries at the same rate comes first and is not counted:
 * the JIT compiles the hot path of the broker, the clients and both services meanwhile.
 */
final class BenchPipelineLatency {
  private static final Duration DRAIN = Duration.ofSeconds(30);

  /**
   * Latency percentiles (ms), where the time goes, and the sustained rate of forwarded plus ranked
   * events.
   */
  record Result(
      long sent,
      long attacked,
      long answered,
      int catalogItems,
      double p50Ms,
      double p90Ms,
      double p99Ms,
      double maxMs,
      Stages p50Stages,
      Stages p99Stages,
      double seconds,
      double eventsPerSecond) {}

  /**
   * One query's latency split at the ranker's own stamps ({@code ranked_at_ms}, {@code
   * latency_micros}): produced to received by the ranker (the worker hop: broker, worker batch,
   * transaction), inside the ranker (its query batch, embedding, ranking), and ranked to received
   * by the bench. Percentiles are taken per stage, so they need not add up to the total's.
   */
  record Stages(double toRankerMs, double inRankerMs, double toBenchMs) {}

  /** The queries of one phase: when each was produced, and the latencies of those answered. */
  private static final class Phase {
    final String name;
    final Map<String, Long> producedAt = new HashMap<>();
    final List<Long> latencies = new ArrayList<>();
    final List<Long> toRanker = new ArrayList<>();
    final List<Long> inRanker = new ArrayList<>();
    final List<Long> toBench = new ArrayList<>();
    int attacked;
    long firstSentNanos;
    long lastAnsweredNanos;
    int catalogItems;

    Phase(String name) {
      this.name = name;
    }
  }

  private final BenchPipelineKafka kafka;
  private final BenchPipelineEvents events;
  private final double rate;
  private final double warmup;
  private final double seconds;
  private final Campaign attacked;

  /** {@code attacked}: the worker's campaign; the queries it attacks are sent but not timed. */
  BenchPipelineLatency(
      BenchPipelineKafka kafka,
      BenchPipelineEvents events,
      double rate,
      double warmup,
      double seconds,
      Campaign attacked) {
    this.attacked = attacked;
    this.kafka = kafka;
    this.events = events;
    this.rate = rate;
    this.warmup = warmup;
    this.seconds = seconds;
  }

  /**
   * Starts the forwarding worker (its group reading the catalog from {@code catalogFrom}, so it
   * delivers this run's {@code catalogItems} clean to the ranker) and the ranker, then measures.
   */
  Result run(
      AttackWorkerSettings worker,
      RankerSettings ranker,
      Map<TopicPartition, Long> catalogFrom,
      int catalogItems,
      MeterRegistry registry)
      throws Exception {
    Map<TopicPartition, Long> workerStart = new HashMap<>(catalogFrom);
    workerStart.putAll(kafka.endOffsets(List.of(Topics.QUERIES)));
    kafka.startGroupAt(worker.groupId(), workerStart);
    kafka.startGroupAt(ranker.groupId(), kafka.endOffsets(List.of(Topics.QUERIES_DELIVERED)));
    double catalogBase = forwarded(registry, Topics.CATALOG_DELIVERED.name());
    Clock clock = Clock.systemUTC();
    try (RankerService r = RankerService.create(ranker, clock, registry);
        AttackWorkerService w = AttackWorkerService.create(worker, clock, registry);
        Consumer<String, RankingResult> rankings = kafka.tail(Topics.RANKINGS)) {
      r.start();
      w.start();
      awaitCatalog(r, w, registry, catalogBase, catalogItems);
      kafka.awaitAssigned(worker.groupId(), Duration.ofMinutes(1));
      kafka.awaitAssigned(ranker.groupId(), Duration.ofMinutes(1));
      System.err.printf(
          "bench pipeline: ranker serves %d items; warming up for %.0f s%n",
          r.catalogSize(), warmup);
      stream(new Phase("warm"), rankings, Math.max(1, Math.round(rate * warmup)));
      double before = benignEvents(registry);
      Phase measured = new Phase("q");
      System.err.printf("bench pipeline: %.0f queries/s for %.0f s%n", rate, seconds);
      long sent = stream(measured, rankings, Math.max(1, Math.round(rate * seconds)));
      return result(measured, sent, benignEvents(registry) - before);
    }
  }

  /** Sends {@code total} queries on schedule, reading rankings in between, then drains. */
  private long stream(Phase phase, Consumer<String, RankingResult> rankings, long total)
      throws Exception {
    String prefix = events.queryPrefix(phase.name);
    int images = events.data().size();
    long start = System.nanoTime();
    phase.firstSentNanos = start;
    for (long n = 0; n < total; n++) {
      // Due times count from the start, so a late send is caught up rather than lowering the rate.
      receiveUntil(phase, prefix, rankings, start + (long) (n * 1e9 / rate));
      ImageEvent q = events.query(phase.name, n, (int) (n % images));
      if (attacked.attacks(false, q.getEventId(), q.getItemId())) {
        phase.attacked++; // answered after its PGD batch: not benign latency
      } else {
        phase.producedAt.put(q.getEventId(), q.getProducedAtMs());
      }
      kafka.send(Topics.QUERIES, q);
    }
    long drainEnd = System.nanoTime() + DRAIN.toNanos();
    while (phase.latencies.size() < total - phase.attacked && System.nanoTime() < drainEnd) {
      receiveUntil(phase, prefix, rankings, System.nanoTime() + 100_000_000L);
    }
    return total;
  }

  /** Polls rankings until {@code deadline} (nanoTime), timing each of this phase's queries. */
  private static void receiveUntil(
      Phase phase, String prefix, Consumer<String, RankingResult> rankings, long deadline) {
    do {
      long waitMs = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
      var records = rankings.poll(Duration.ofMillis(waitMs));
      long nowMs = System.currentTimeMillis();
      for (ConsumerRecord<String, RankingResult> r : records) {
        if (r.key() == null || !r.key().startsWith(prefix)) {
          continue;
        }
        Long at = phase.producedAt.remove(r.value().getQueryEventId());
        if (at != null) {
          RankingResult v = r.value();
          long inRankerMs = v.getLatencyMicros() / 1000;
          phase.latencies.add(nowMs - at);
          phase.toRanker.add(v.getRankedAtMs() - inRankerMs - at);
          phase.inRanker.add(inRankerMs);
          phase.toBench.add(nowMs - v.getRankedAtMs());
          phase.lastAnsweredNanos = System.nanoTime();
          phase.catalogItems = Math.max(phase.catalogItems, v.getGallerySize());
        }
      }
    } while (System.nanoTime() < deadline);
  }

  /**
   * Waits until the worker has delivered this run's catalog and the ranker has indexed it, so that
   * catalog embedding does not compete with the queries being timed.
   */
  private static void awaitCatalog(
      RankerService r, AttackWorkerService w, MeterRegistry registry, double base, int items)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (forwarded(registry, Topics.CATALOG_DELIVERED.name()) - base < items
        || r.catalogSize() < items) {
      for (var failure : List.of(r.failure(), w.failure())) {
        if (failure.isPresent()) {
          throw new IllegalStateException("a service failed: " + failure.get());
        }
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("the ranker indexed only " + r.catalogSize() + " items");
      }
      Thread.sleep(100);
    }
  }

  private Result result(Phase p, long sent, double benignEvents) {
    long[] ms = sorted(p.latencies);
    if (ms.length == 0) {
      throw new IllegalStateException("no ranking arrived for " + sent + " queries");
    }
    double window = (p.lastAnsweredNanos - p.firstSentNanos) / 1e9;
    return new Result(
        sent,
        p.attacked,
        ms.length,
        p.catalogItems,
        percentile(ms, 0.50),
        percentile(ms, 0.90),
        percentile(ms, 0.99),
        ms[ms.length - 1],
        stages(p, 0.50),
        stages(p, 0.99),
        window,
        benignEvents / window);
  }

  private static Stages stages(Phase p, double q) {
    return new Stages(
        percentile(sorted(p.toRanker), q),
        percentile(sorted(p.inRanker), q),
        percentile(sorted(p.toBench), q));
  }

  private static long[] sorted(List<Long> values) {
    return values.stream().mapToLong(Long::longValue).sorted().toArray();
  }

  /** Nearest-rank percentile of sorted values. */
  static double percentile(long[] sorted, double q) {
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
  }

  /** Events of the benign path so far: queries forwarded by the worker plus rankings published. */
  private static double benignEvents(MeterRegistry registry) {
    Counter ranked = registry.find("advrank.rankings").counter();
    return forwarded(registry, Topics.QUERIES_DELIVERED.name())
        + (ranked == null ? 0 : ranked.count());
  }

  private static double forwarded(MeterRegistry registry, String topic) {
    Counter c = registry.find("advrank.events.forwarded").tag("topic", topic).counter();
    return c == null ? 0 : c.count();
  }
}
