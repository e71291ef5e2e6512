package io.advrank.cli;

import io.advrank.proto.v1.AdversarialVariant;
import io.advrank.proto.v1.AnomalyAlert;
import io.advrank.proto.v1.AttackType;
import io.advrank.proto.v1.RankShift;
import io.advrank.proto.v1.SubjectKind;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.topic.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * The demo's scorecard of the monitor: its alerts ({@code advrank.alerts}) against the ground truth
 * the attack-worker publishes ({@code advrank.adversarial}: every perturbed catalog photo, key the
 * item, and every hijacked query, key the query). A subject is an item or a query; an alerted
 * subject is a true positive when it was attacked (an item alerted for its photo or its rank drift,
 * a query for its hijack score). Precision = attacked alerted subjects ÷ alerted subjects; recall =
 * attacked subjects that were alerted ÷ attacked subjects, counting only attacks older than {@code
 * settle} (the ranker and the monitor need a moment to judge the newest ones).
 *
 * <p>An attack on a robust model may barely move its target's rank, and an alert on it is then not
 * what a user needs most; so recall is also counted over the <em>effective</em> attacks alone:
 * subjects one of whose attacks moved the rank percentile at least {@link #EFFECTIVE_SHIFT} points
 * the intended way, as the attack-worker measured it ({@code advrank.rank-shifts}).
 *
 * <ul>
 *   <li>Input {@code advrank.adversarial}, {@code advrank.alerts}, {@code advrank.rank-shifts}:
 *       read committed, from the start, no group.
 * </ul>
 */
final class DetectionScore implements AutoCloseable {
  /** Rank-percentile points an attack must move its rank the intended way to count as effective. */
  static final double EFFECTIVE_SHIFT = 10;

  /** Precision, recall and their counts; NaN where nothing was counted yet. */
  record Result(
      double precision,
      double recall,
      int alertedSubjects,
      int truePositives,
      int attackedSubjects,
      int attackedFound,
      double effectiveRecall,
      int effectiveSubjects,
      int effectiveFound,
      double firstAttackSeconds,
      double firstAlertSeconds,
      double firstTrueAlertSeconds,
      Map<String, String> recallByType,
      Map<String, String> recallByVersion) {}

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private final long startMs;
  private volatile boolean running = true;
  // subject ("item:ID" / "query:ID") -> first time seen, ms
  private final Map<String, Long> attacked = new HashMap<>();
  private final Map<String, Long> alerted = new HashMap<>();
  private final Map<String, String> attackType = new HashMap<>();
  // subject -> the model version whose gradients made its first attack (served when attacked)
  private final Map<String, String> attackVersion = new HashMap<>();
  // subject -> the largest rank shift of its attacks the intended way, percentile points
  private final Map<String, Double> shift = new HashMap<>();

  DetectionScore(String bootstrapServers, long startMs) {
    Properties p = ClientProperties.byteConsumer(bootstrapServers, "advrank-demo-score", true);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    this.consumer = new KafkaConsumer<>(p);
    this.startMs = startMs;
    this.thread = new Thread(this::run, "advrank-demo-score");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  private void run() {
    try {
      List<TopicPartition> partitions =
          List.of(Topics.ADVERSARIAL.name(), Topics.ALERTS.name(), Topics.RANK_SHIFTS.name())
              .stream()
              .flatMap(t -> consumer.partitionsFor(t).stream())
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (running) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          take(r);
        }
      }
    } catch (WakeupException e) {
      // close()
    } catch (RuntimeException e) {
      System.err.println("demo: detection scorecard stopped: " + e);
    }
  }

  private void take(ConsumerRecord<byte[], byte[]> r) {
    try {
      if (r.topic().equals(Topics.ADVERSARIAL.name())) {
        AdversarialVariant v = AdversarialVariant.parseFrom(r.value());
        AttackType type = v.getSpec().getType();
        attacked(subject(type, v.getItemId()), r.timestamp(), label(type), v.getModelVersion());
      } else if (r.topic().equals(Topics.RANK_SHIFTS.name())) {
        RankShift s = RankShift.parseFrom(r.value());
        double moved = Math.abs(s.getRankPercentileAfter() - s.getRankPercentileBefore());
        shifted(subject(s.getAttackType(), s.getSubjectId()), s.getSuccess() ? moved : -moved);
      } else {
        AnomalyAlert a = AnomalyAlert.parseFrom(r.value());
        String kind = a.getSubjectKind() == SubjectKind.SUBJECT_KIND_QUERY ? "query:" : "item:";
        alerted(kind + a.getSubjectId(), r.timestamp());
      }
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      // not ours to judge: the services dead-letter malformed records
    }
  }

  synchronized void attacked(String subject, long timeMs, String type) {
    attacked(subject, timeMs, type, "");
  }

  /** An attack on {@code subject} made with {@code version}'s gradients (empty: unknown). */
  synchronized void attacked(String subject, long timeMs, String type, String version) {
    attacked.merge(subject, timeMs, Math::min);
    attackType.putIfAbsent(subject, type);
    attackVersion.putIfAbsent(subject, version.isEmpty() ? "unknown" : version);
  }

  private static String label(AttackType type) {
    return switch (type) {
      case ATTACK_TYPE_CA_PLUS -> "CA+";
      case ATTACK_TYPE_CA_MINUS -> "CA-";
      case ATTACK_TYPE_QA_PLUS -> "QA+";
      case ATTACK_TYPE_QA_MINUS -> "QA-";
      case ATTACK_TYPE_SP_QA_PLUS -> "SP-QA+";
      case ATTACK_TYPE_SP_QA_MINUS -> "SP-QA-";
      default -> type.name();
    };
  }

  /**
   * An attack on {@code subject} moved its rank percentile {@code points} the intended way
   * (negative: the other way).
   */
  synchronized void shifted(String subject, double points) {
    shift.merge(subject, points, Math::max);
  }

  synchronized void alerted(String subject, long timeMs) {
    alerted.merge(subject, timeMs, Math::min);
  }

  /** The subject an attack of {@code type} on {@code id} is about: "query:ID" or "item:ID". */
  private static String subject(AttackType type, String id) {
    return (isQueryAttack(type) ? "query:" : "item:") + id;
  }

  static boolean isQueryAttack(AttackType type) {
    return type != AttackType.ATTACK_TYPE_CA_PLUS && type != AttackType.ATTACK_TYPE_CA_MINUS;
  }

  /** The scorecard now, recall over the attacks older than {@code settle}. */
  synchronized Result result(long nowMs, Duration settle) {
    int truePositives = 0;
    long firstTrue = Long.MAX_VALUE;
    for (var e : alerted.entrySet()) {
      if (attacked.containsKey(e.getKey())) {
        truePositives++;
        firstTrue = Math.min(firstTrue, e.getValue());
      }
    }
    int judged = 0;
    int found = 0;
    int effective = 0;
    int effectiveFound = 0;
    Map<String, int[]> byType = new TreeMap<>();
    Map<String, int[]> byVersion = new TreeMap<>();
    for (var e : attacked.entrySet()) {
      if (e.getValue() <= nowMs - settle.toMillis()) {
        int hit = alerted.containsKey(e.getKey()) ? 1 : 0;
        judged++;
        found += hit;
        if (shift.getOrDefault(e.getKey(), Double.NEGATIVE_INFINITY) >= EFFECTIVE_SHIFT) {
          effective++;
          effectiveFound += hit;
        }
        for (int[] t :
            List.of(
                byType.computeIfAbsent(attackType.get(e.getKey()), k -> new int[2]),
                byVersion.computeIfAbsent(attackVersion.get(e.getKey()), k -> new int[2]))) {
          t[0] += hit;
          t[1]++;
        }
      }
    }
    return new Result(
        alerted.isEmpty() ? Double.NaN : (double) truePositives / alerted.size(),
        judged == 0 ? Double.NaN : (double) found / judged,
        alerted.size(),
        truePositives,
        judged,
        found,
        effective == 0 ? Double.NaN : (double) effectiveFound / effective,
        effective,
        effectiveFound,
        seconds(attacked.values().stream().mapToLong(Long::longValue).min().orElse(-1)),
        seconds(alerted.values().stream().mapToLong(Long::longValue).min().orElse(-1)),
        seconds(firstTrue == Long.MAX_VALUE ? -1 : firstTrue),
        shares(byType),
        shares(byVersion));
  }

  /** "recall (found of judged)" per key. */
  private static Map<String, String> shares(Map<String, int[]> counts) {
    Map<String, String> out = new LinkedHashMap<>();
    counts.forEach(
        (key, t) ->
            out.put(
                key,
                String.format(Locale.ROOT, "%.3f (%d of %d)", (double) t[0] / t[1], t[0], t[1])));
    return out;
  }

  private double seconds(long timeMs) {
    return timeMs < 0 ? Double.NaN : (timeMs - startMs) / 1000.0;
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    consumer.close(Duration.ofSeconds(5));
  }
}
