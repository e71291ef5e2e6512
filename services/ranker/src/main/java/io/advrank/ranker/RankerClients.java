package io.advrank.ranker;

import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

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
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.kafka().bootstrapServers());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "advrank-" + s.rankerId());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // One request in flight, as in the producer service: no retried batch can land behind its
    // successors and loop on OUT_OF_ORDER_SEQUENCE_NUMBER.
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  /** For creating the topics at start-up. */
  static Properties admin(RankerSettings s) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, s.kafka().bootstrapServers());
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "advrank-" + s.rankerId() + "-admin");
    return p;
  }

  private static Properties consumer(RankerSettings s, String suffix) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.kafka().bootstrapServers());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "advrank-" + s.rankerId() + suffix);
    // The attack-worker may write transactionally: never rank an image from an aborted write.
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }
}
