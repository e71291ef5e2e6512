package io.advrank.runtime.kafka;

import io.advrank.runtime.settings.KafkaSecurity;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Kafka client settings every advrank service shares, built in one place; services add what is
 * their own (a transactional id, a group, a poll size) to the returned properties.
 *
 * <p>Every client of a process reaches one cluster, so its TLS and SASL settings ({@link
 * KafkaSecurity}) are installed once at start ({@link #useSecurity}, by each entry point from its
 * {@code KafkaSettings}) and added here to every client's properties, including clients built deep
 * in a library from only a bootstrap address (the model feed). Secrets only travel in configs Kafka
 * types as passwords ({@code sasl.jaas.config}, {@code ssl.*.password}), which its config logging
 * prints as {@code [hidden]}.
 */
public final class ClientProperties {
  private static volatile KafkaSecurity security = KafkaSecurity.PLAINTEXT;

  private ClientProperties() {}

  /** Makes every client built from now on in this process use {@code security}. */
  public static void useSecurity(KafkaSecurity security) {
    ClientProperties.security = Objects.requireNonNull(security, "security");
  }

  /** The security every client of this process uses; {@link KafkaSecurity#PLAINTEXT} unless set. */
  public static KafkaSecurity security() {
    return security;
  }

  /**
   * Adds this process's {@link #security()} to properties built elsewhere (a Kafka Streams
   * configuration, an admin client made from a map) and returns them.
   */
  public static Properties secured(Properties p) {
    KafkaSecurity s = security;
    p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, s.protocol());
    if (s.sasl()) {
      p.put(SaslConfigs.SASL_MECHANISM, s.saslMechanism());
      p.put(SaslConfigs.SASL_JAAS_CONFIG, jaas(s));
    }
    if (s.tls()) {
      s.truststore()
          .ifPresent(
              t -> {
                p.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, t.toString());
                p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, storeType(t.toString()));
                p.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, s.truststorePassword());
              });
      s.keystore()
          .ifPresent(
              k -> {
                p.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, k.toString());
                p.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, storeType(k.toString()));
                p.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, s.keystorePassword());
                p.put(SslConfigs.SSL_KEY_PASSWORD_CONFIG, s.keystorePassword());
              });
      p.put(
          SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG,
          s.verifyHostname() ? "https" : "");
    }
    return p;
  }

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
    return secured(p);
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
    return secured(p);
  }

  /** An admin client, e.g. for creating the topics at start-up. */
  public static Properties admin(String bootstrapServers, String clientId) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
    return secured(p);
  }

  /** A plain consumer (its deserializers are the caller's), for typed reads of a topic. */
  public static Properties consumer(String bootstrapServers, String clientId) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    return secured(p);
  }

  private static String jaas(KafkaSecurity s) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + s.saslUsername()
        + "\" password=\""
        + s.saslPassword().replace("\\", "\\\\").replace("\"", "\\\"")
        + "\";";
  }

  private static String storeType(String path) {
    return path.endsWith(".jks") ? "JKS" : "PKCS12";
  }
}
