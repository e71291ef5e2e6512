package io.advrank.attackworker;

import io.advrank.runtime.kafka.ClientProperties;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The one place where the attack-worker's Kafka client properties are built. Consumers read raw
 * bytes so that a benign event is forwarded byte for byte and a bad one dead-lettered as it came.
 */
final class AttackWorkerClients {
  private AttackWorkerClients() {}

  /**
   * The work consumer joins {@code group.id}; its offsets are committed by the worker ({@link
   * WorkerLoop}: inside transactions, or after forwards are acknowledged), and it never reads an
   * aborted write.
   */
  static Properties workConsumer(AttackWorkerSettings s) {
    Properties p = consumer(s, "-work");
    p.put(ConsumerConfig.GROUP_ID_CONFIG, s.groupId());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, s.batchMax());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return p;
  }

  /** The gallery consumer has no group: it assigns itself the whole catalog at every start. */
  static Properties galleryConsumer(AttackWorkerSettings s) {
    Properties p = consumer(s, "-gallery");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return p;
  }

  /**
   * Transactional: a stable {@code transactional.id} per instance, so a restarted instance fences
   * its crashed predecessor and the broker aborts whatever that one left open.
   */
  static Properties producer(AttackWorkerSettings s) {
    Properties p =
        ClientProperties.idempotentProducer(
            s.kafka().bootstrapServers(), "advrank-" + s.workerId());
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, s.transactionalId());
    // Back-to-back transactions: the next one's first write is answered CONCURRENT_TRANSACTIONS
    // until the previous commit's markers are written, and the client retries after this backoff.
    // Kafka's 100 ms default made sendOffsetsToTransaction take 64 ms at p50 (208 ms p90); 5 ms
    // halved it in a run on the same machine (27 ms p50).
    p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 5);
    p.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 50);
    return p;
  }

  /**
   * The benign lane's producer: idempotent, outside transactions, no linger (a forward leaves at
   * once), one request in flight (acknowledgements of a partition arrive in the order sent, which
   * {@link ForwardPositions} relies on).
   */
  static Properties forwardProducer(AttackWorkerSettings s) {
    Properties p =
        ClientProperties.idempotentProducer(
            s.kafka().bootstrapServers(), "advrank-" + s.workerId() + "-forward");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    return p;
  }

  /**
   * Reads the delivered topics after a rebalance ({@link RecoveryScan}): no group, and {@code
   * read_uncommitted}, because forwards are not transactional.
   */
  static Properties scanConsumer(AttackWorkerSettings s) {
    Properties p =
        ClientProperties.byteConsumer(
            s.kafka().bootstrapServers(), "advrank-" + s.workerId() + "-scan", false);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    return p;
  }

  /** For creating the topics at start-up. */
  static Properties admin(AttackWorkerSettings s) {
    return ClientProperties.admin(
        s.kafka().bootstrapServers(), "advrank-" + s.workerId() + "-admin");
  }

  private static Properties consumer(AttackWorkerSettings s, String suffix) {
    return ClientProperties.byteConsumer(
        s.kafka().bootstrapServers(), "advrank-" + s.workerId() + suffix, true);
  }
}
