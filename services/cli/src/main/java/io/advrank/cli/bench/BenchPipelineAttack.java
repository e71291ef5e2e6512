package io.advrank.cli.bench;

import io.advrank.attackworker.AttackWorkerService;
import io.advrank.attackworker.AttackWorkerSettings;
import io.advrank.core.attack.AttackRequest;
import io.advrank.core.attack.AttackResult;
import io.advrank.core.attack.AttackSpec;
import io.advrank.core.attack.AttackType;
import io.advrank.core.attack.RankingAttacker;
import io.advrank.core.attack.TargetSampler;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.proto.v1.RankShift;
import io.advrank.runtime.topic.Topics;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Part 1 of {@code bench pipeline}: CA+ attack throughput through Kafka against the same attacks
 * run in-process. Test images {@code [0, gallery)} are the catalog already on {@code
 * advrank.catalog} (the attack gallery); images {@code [gallery, gallery + items)} are then
 * uploaded and every one is attacked, by the attack-worker (timed from the first upload to the last
 * {@link RankShift} read {@code read_committed}) and by core's {@link RankingAttacker} in batches
 * of the worker's {@code batch.max} on the same model weights and gallery. One instance is one
 * round; the worker's gallery also holds the uploads of earlier rounds (they are catalog items),
 * the in-process one only the first {@code gallery} images.
 */
final class BenchPipelineAttack {
  /** Whole-run timeout of the Kafka part: generous, the machine may be shared. */
  private static final Duration TIMEOUT = Duration.ofMinutes(20);

  /**
   * Throughput of one way of running the attacks, the mean rank percentiles it reached, how many
   * PGD runs (batches) it took (the worker's batches depend on how events arrive) and how long they
   * took together: the rest of {@code seconds} is time outside PGD.
   */
  record Run(
      double seconds,
      double attacksPerSecond,
      double rankBefore,
      double rankAfter,
      long pgdRuns,
      double pgdSeconds) {}

  private final BenchPipelineKafka kafka;
  private final BenchPipelineEvents events;
  private final int gallery;
  private final int items;
  private final AttackSpec spec;
  private long lastArrival;
  private long lastProgress;

  BenchPipelineAttack(
      BenchPipelineKafka kafka, BenchPipelineEvents events, int gallery, int items, AttackSpec s) {
    this.kafka = kafka;
    this.events = events;
    this.gallery = gallery;
    this.items = items;
    this.spec = s;
  }

  ImageDataset data() {
    return events.data();
  }

  /**
   * Starts the attack-worker of all rounds on {@code settings}, its group at the current end of the
   * input topics: only the uploads of the rounds are work, the catalog already there is the
   * gallery, not traffic. Returns once it has loaded its gallery and holds its partitions.
   */
  static AttackWorkerService startWorker(
      BenchPipelineKafka kafka, AttackWorkerSettings settings, MeterRegistry registry)
      throws Exception {
    kafka.startGroupAt(
        settings.groupId(), kafka.endOffsets(List.of(Topics.CATALOG, Topics.QUERIES)));
    AttackWorkerService worker = AttackWorkerService.create(settings, Clock.systemUTC(), registry);
    try {
      worker.start();
      if (!worker.awaitReady(Duration.ofMinutes(5))) {
        throw new TimeoutException("the attack-worker did not load its gallery in 5 minutes");
      }
      kafka.awaitAssigned(settings.groupId(), Duration.ofMinutes(1));
      return worker;
    } catch (Exception e) {
      worker.close();
      throw e;
    }
  }

  /**
   * CA+ on every uploaded item by the running {@code worker}, timed from the first upload to the
   * last rank shift on {@code shifts}.
   */
  Run throughKafka(
      AttackWorkerService worker, Consumer<String, RankShift> shifts, MeterRegistry registry)
      throws Exception {
    long runsBefore = pgdRuns(registry);
    double imagesBefore = pgdImages(registry);
    double pgdBefore = pgdSeconds(registry);
    long t0 = System.nanoTime();
    for (int i = gallery; i < gallery + items; i++) {
      kafka.send(Topics.CATALOG, events.catalogItem(i));
    }
    kafka.flush();
    Map<String, RankShift> got = awaitShifts(shifts, worker, t0);
    double seconds = (lastArrival - t0) / 1e9;
    awaitTallied(registry, imagesBefore + items);
    return new Run(
        seconds,
        items / seconds,
        got.values().stream().mapToDouble(RankShift::getRankPercentileBefore).average().orElse(0),
        got.values().stream().mapToDouble(RankShift::getRankPercentileAfter).average().orElse(0),
        pgdRuns(registry) - runsBefore,
        pgdSeconds(registry) - pgdBefore);
  }

  /** PGD runs the worker has counted so far ({@code advrank_attack_batch_size}'s count). */
  private static long pgdRuns(MeterRegistry registry) {
    return registry.find("advrank.attack.batch.size").summaries().stream()
        .mapToLong(DistributionSummary::count)
        .sum();
  }

  /** Images the worker's PGD runs have attacked so far (the batch-size summary's total). */
  private static double pgdImages(MeterRegistry registry) {
    return registry.find("advrank.attack.batch.size").summaries().stream()
        .mapToDouble(DistributionSummary::totalAmount)
        .sum();
  }

  /**
   * Waits until the worker's batch metrics count {@code images} attacked images: it records them
   * after its transaction commits, so the last batch's rank shifts can be read before it is
   * counted.
   */
  private static void awaitTallied(MeterRegistry registry, double images)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (pgdImages(registry) < images) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException(
            "the attack-worker counted %.0f of %.0f attacked images in 30 s"
                .formatted(pgdImages(registry), images));
      }
      Thread.sleep(10);
    }
  }

  /** Wall time of the worker's PGD runs so far ({@code advrank_attack_batch_duration_seconds}). */
  private static double pgdSeconds(MeterRegistry registry) {
    return registry.find("advrank.attack.batch.duration").timers().stream()
        .mapToDouble(t -> t.totalTime(TimeUnit.SECONDS))
        .sum();
  }

  /** Reads rank shifts until one per uploaded item has arrived; notes when the last one did. */
  private Map<String, RankShift> awaitShifts(
      Consumer<String, RankShift> shifts, AttackWorkerService worker, long t0) throws Exception {
    Map<String, RankShift> got = new HashMap<>();
    String prefix = events.itemPrefix();
    while (got.size() < items) {
      for (ConsumerRecord<String, RankShift> r : shifts.poll(Duration.ofMillis(100))) {
        if (r.key() != null && r.key().startsWith(prefix) && got.put(r.key(), r.value()) == null) {
          lastArrival = System.nanoTime();
        }
      }
      if (worker.failure().isPresent()) {
        throw new IllegalStateException("the attack-worker failed: " + worker.failure().get());
      }
      if (System.nanoTime() - t0 > TIMEOUT.toNanos()) {
        throw new TimeoutException(
            "only %d of %d rank shifts arrived in %s".formatted(got.size(), items, TIMEOUT));
      }
      progress(got.size(), t0);
    }
    return got;
  }

  private void progress(int done, long t0) {
    long now = System.nanoTime();
    if (now - lastProgress > 5e9) {
      lastProgress = now;
      System.err.printf(
          "bench pipeline: %d/%d rank shifts after %.0f s%n", done, items, (now - t0) / 1e9);
    }
  }

  /** The same attacks with core's attacker, {@code batch} items per PGD run, after a warm-up. */
  Run inProcess(EmbeddingModel model, int batch) {
    Embeddings clean = model.embed(pixels(IntStream.range(0, gallery)), gallery);
    TargetSampler.checkSize(spec, gallery);
    List<AttackRequest> requests = requests(new Random(spec.seed()));
    List<AttackResult> results = new ArrayList<>(items);
    try (RankingAttacker attacker = RankingAttacker.of(model, clean)) {
      long t0 = System.nanoTime();
      for (int from = 0; from < items; from += batch) {
        results.addAll(
            attacker.attack(spec, requests.subList(from, Math.min(items, from + batch))));
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      return new Run(
          seconds,
          items / seconds,
          results.stream().mapToDouble(AttackResult::rankBefore).average().orElse(0),
          results.stream().mapToDouble(AttackResult::rankAfter).average().orElse(0),
          (items + batch - 1) / batch,
          seconds);
    }
  }

  /**
   * One untimed PGD run, so that neither side pays libtorch's first-call costs (allocator, kernel
   * selection, JIT) inside its timing.
   */
  void warmUp(EmbeddingModel model, int batch) {
    int n = Math.min(batch, gallery);
    Embeddings clean = model.embed(pixels(IntStream.range(0, gallery)), gallery);
    try (RankingAttacker attacker = RankingAttacker.of(model, clean)) {
      attacker.attack(spec, requests(new Random(-1)).subList(0, Math.min(n, items)));
    }
  }

  /** CA+ requests for the uploaded items: w uniform targets each (the paper's Q), not in X. */
  private List<AttackRequest> requests(Random random) {
    List<AttackRequest> out = new ArrayList<>(items);
    for (int i = gallery; i < gallery + items; i++) {
      int[] targets = random.ints(0, gallery).distinct().limit(spec.size()).toArray();
      out.add(new AttackRequest(events.data().image(i), targets, new int[0], -1));
    }
    return out;
  }

  private float[] pixels(IntStream indices) {
    return events.data().batch(indices.toArray());
  }

  static AttackSpec caPlus(double epsilon, int w) {
    return new AttackSpec(AttackType.CA_PLUS, epsilon, w, 0);
  }
}
