package io.advrank.ranker;

import io.advrank.runtime.kafka.ClientProperties;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The one place where the ranker's Kafka client properties are built. Consumers read raw bytes so
 * that a record which does not parse can be dead-lettered byte for byte.
 */
final class RankerClients {
  /** How long a transaction left open by a killed ranker may block its partitions' readers. */
  static final int TRANSACTION_TIMEOUT_MS = 20_000;

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

  /**
   * Rankings and the query loop's dead letters, in one transaction per batch with the input
   * offsets. The {@code transactional.id} is stable per instance ({@code advrank-<ranker.id>}): a
   * restarted ranker fences its killed predecessor and the broker aborts what that one left open,
   * so {@code read_committed} readers are not held back until {@link #TRANSACTION_TIMEOUT_MS}.
   */
  static Properties queryProducer(RankerSettings s) {
    Properties p =
        ClientProperties.idempotentProducer(
            s.kafka().bootstrapServers(), "advrank-" + s.rankerId());
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "advrank-" + s.rankerId());
    // A batch's transaction spans its sends and the commit only (milliseconds); a ranker killed
    // and not restarted holds back read_committed readers of its partitions until this timeout.
    p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS);
    // Back-to-back transactions are answered CONCURRENT_TRANSACTIONS until the previous markers
    // are written; Kafka's 100 ms retry backoff then delays every batch (see the attack-worker).
    p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 5);
    p.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 50);
    return p;
  }

  /**
   * Catalog observations and the catalog's dead letters: idempotent, outside transactions. Its
   * client id is not the catalog consumer's: Kafka's app-info metrics are per client id, and a
   * shared one had Micrometer warn at every start that the gauge was already registered.
   */
  static Properties catalogProducer(RankerSettings s) {
    return ClientProperties.idempotentProducer(
        s.kafka().bootstrapServers(), "advrank-" + s.rankerId() + "-catalog-out");
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
