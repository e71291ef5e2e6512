package io.advrank.runtime.kafka;

import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Kafka client settings every advrank service shares, built in one place; services add what is
 * their own (a transactional id, a group, a poll size) to the returned properties.
 */
public final class ClientProperties {
  private ClientProperties() {}

  /**
   * An idempotent producer of raw bytes, fully acknowledged: a broker retry never duplicates or
   * loses a record. One request in flight: with five, a batch retried after NOT_LEADER_OR_FOLLOWER
   * (a fresh topic electing its leader) could reach the broker after its successor, and the
   * producer then looped on OUT_OF_ORDER_SEQUENCE_NUMBER (ProducerIT, 3 of 6 runs on a loaded
   * machine; RankerDeadLetterIT once in CI). It also keeps acknowledgements of a partition in the
   * order the records were sent.
   */
  public static Properties idempotentProducer(String bootstrapServers, String clientId) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  /**
   * A consumer of raw bytes (a bad record can then be dead-lettered as it came), without a group;
   * {@code readCommitted}: never see a write of an aborted or open transaction.
   */
  public static Properties byteConsumer(
      String bootstrapServers, String clientId, boolean readCommitted) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(
        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
        readCommitted ? "read_committed" : "read_uncommitted");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }

  /** An admin client, e.g. for creating the topics at start-up. */
  public static Properties admin(String bootstrapServers, String clientId) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
    return p;
  }
}
