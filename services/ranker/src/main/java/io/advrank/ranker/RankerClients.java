package io.advrank.ranker;

import io.advrank.runtime.kafka.ClientProperties;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * The one place where the ranker's Kafka client properties are built. Consumers read raw bytes so
 * that a record which does not parse can be dead-lettered byte for byte.
 */
final class RankerClients {
  private RankerClients() {}

  /**
   * The catalog consumer has no group: every ranker needs the whole catalog, so it assigns itself
   * all partitions and reads them from the beginning at every start; nothing is committed.
   */
  static Properties catalogConsumer(RankerSettings s) {
    Properties p = consumer(s, "-catalog");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, s.catalogBatchMax());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return p;
  }

  /** The query consumer joins {@code group.id}: rankers of one group share the queries. */
  static Properties queryConsumer(RankerSettings s) {
    Properties p = consumer(s, "-queries");
    p.put(ConsumerConfig.GROUP_ID_CONFIG, s.groupId());
    // Offsets are committed only after the rankings of a batch are acknowledged.
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, s.queryBatchMax());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return p;
  }

  /** Rankings and dead letters; idempotent so broker retries never duplicate a ranking. */
  static Properties producer(RankerSettings s) {
    return ClientProperties.idempotentProducer(
        s.kafka().bootstrapServers(), "advrank-" + s.rankerId());
  }

  /** For creating the topics at start-up. */
  static Properties admin(RankerSettings s) {
    return ClientProperties.admin(
        s.kafka().bootstrapServers(), "advrank-" + s.rankerId() + "-admin");
  }

  // The attack-worker may write transactionally: never rank an image from an aborted write.
  private static Properties consumer(RankerSettings s, String suffix) {
    return ClientProperties.byteConsumer(
        s.kafka().bootstrapServers(), "advrank-" + s.rankerId() + suffix, true);
  }
}
