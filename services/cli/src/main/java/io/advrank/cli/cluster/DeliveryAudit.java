package io.advrank.cli.cluster;

import io.advrank.proto.v1.AdversarialVariant;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.RankShift;
import io.advrank.proto.v1.RankingResult;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.topic.Topic;
import io.advrank.runtime.topic.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Counts, by event id, what the pipeline's output topics hold against what the producer sent,
 * reading every topic from the beginning with {@code read_committed} (what a downstream reader
 * sees: writes of aborted transactions do not count). Each stage's {@link Tally} says how many
 * expected ids never arrived (lost), how many arrived more than once (duplicated: every copy beyond
 * the first) and how many arrived that were not expected.
 */
final class DeliveryAudit {
  /** One stage: expected ids against the ids seen, with their multiplicities. */
  record Tally(String stage, int expected, int seen, int lost, int duplicated, int unexpected) {
    static Tally of(String stage, Set<String> expected, Map<String, Integer> seen) {
      int lost = 0;
      for (String id : expected) {
        if (!seen.containsKey(id)) {
          lost++;
        }
      }
      int duplicated = 0;
      int unexpected = 0;
      int total = 0;
      for (Map.Entry<String, Integer> e : seen.entrySet()) {
        total += e.getValue();
        duplicated += e.getValue() - 1;
        if (!expected.contains(e.getKey())) {
          unexpected++;
        }
      }
      return new Tally(stage, expected.size(), total, lost, duplicated, unexpected);
    }

    boolean exact() {
      return lost == 0 && duplicated == 0 && unexpected == 0;
    }
  }

  /** The counts of one audit. */
  record Result(
      List<Tally> tallies, int sentQueries, int sentCatalog, int attacks, long deadLetters) {
    boolean exact() {
      return tallies.stream().allMatch(Tally::exact);
    }

    /** Every stage complete (nothing lost), whether or not anything was duplicated. */
    boolean complete() {
      return tallies.stream().allMatch(t -> t.lost() == 0);
    }
  }

  private final String bootstrapServers;

  DeliveryAudit(String bootstrapServers) {
    this.bootstrapServers = bootstrapServers;
  }

  Result run() {
    Map<String, Integer> queries = read(Topics.QUERIES, ImageEvent::getEventId);
    Map<String, Integer> catalog = read(Topics.CATALOG, ImageEvent::getEventId);
    Map<String, Integer> queriesDelivered = read(Topics.QUERIES_DELIVERED, ImageEvent::getEventId);
    Map<String, Integer> catalogDelivered = read(Topics.CATALOG_DELIVERED, ImageEvent::getEventId);
    Map<String, Integer> answered = read(Topics.RANKINGS, RankingResult::getQueryEventId);
    Map<String, Integer> variants =
        read(Topics.ADVERSARIAL, AdversarialVariant::getOriginalEventId);
    Map<String, Integer> shifts = read(Topics.RANK_SHIFTS, RankShift::getOriginalEventId);
    long deadLetters = read(Topics.DEAD_LETTER, v -> "x").getOrDefault("x", 0);
    Set<String> sent = new java.util.HashSet<>(queries.keySet());
    sent.addAll(catalog.keySet());
    // Most events are not attacked: an attack is expected once for each attacked event that was
    // sent; one of an event never sent is unexpected.
    Set<String> attacked = new java.util.HashSet<>(variants.keySet());
    attacked.retainAll(sent);
    List<Tally> tallies =
        List.of(
            Tally.of("sent queries (producer)", queries.keySet(), queries),
            Tally.of("sent catalog items (producer)", catalog.keySet(), catalog),
            Tally.of("queries delivered (attack-workers)", queries.keySet(), queriesDelivered),
            Tally.of("catalog delivered (attack-workers)", catalog.keySet(), catalogDelivered),
            Tally.of("attacks published (attack-workers)", attacked, variants),
            Tally.of("rank shifts published, one per attack", variants.keySet(), shifts),
            Tally.of("queries answered (rankers)", queries.keySet(), answered));
    return new Result(tallies, queries.size(), catalog.size(), variants.size(), deadLetters);
  }

  /** Reads a whole topic up to its last stable offset and counts records per id. */
  private <V> Map<String, Integer> read(Topic<?, V> topic, Function<V, String> id) {
    Map<String, Integer> counts = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            ClientProperties.byteConsumer(bootstrapServers, "advrank-chaos-audit", true))) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic.name()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!caughtUp(consumer, end)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("reading " + topic + " took over 60 s");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (r.value() == null) {
            continue; // a tombstone deletes an item; it is no event
          }
          V value =
              topic.valueSerde().deserializer().deserialize(r.topic(), r.headers(), r.value());
          counts.merge(id.apply(value), 1, Integer::sum);
        }
      }
    }
    return counts;
  }

  private static boolean caughtUp(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
