package io.advrank.runtime.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.embedded.EmbeddedKafka;
import io.advrank.embedded.SecuredKafka;
import io.advrank.embedded.ThrowawayCa;
import io.advrank.runtime.settings.KafkaSecurity;
import io.advrank.runtime.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker with a TLS + SCRAM-SHA-512 listener and an mTLS listener, certificates made in the test:
 * clients built by {@link ClientProperties} authenticate with the process's {@link KafkaSecurity},
 * and a wrong password, an untrusted broker certificate or a missing client certificate fail fast
 * with one line naming the setting to fix.
 */
class SecureKafkaIT {
  private static final String PASSWORD = SecuredKafka.STORE_PASSWORD;
  private static final String USER = "advrank-it";
  private static final String USER_PASSWORD = "p\"ss\\word-it";
  private static final Duration FAIL_FAST = Duration.ofSeconds(20);

  @TempDir static Path dir;
  private static ThrowawayCa ca;
  private static ThrowawayCa stranger;
  private static Path clientKeystore;
  private static SecuredKafka secured;
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void start() throws Exception {
    secured = SecuredKafka.withoutAcls(Map.of(USER, USER_PASSWORD));
    kafka = secured.kafka();
    ca = secured.ca();
    clientKeystore = ca.keystore("client");
    stranger = ThrowawayCa.create(dir, PASSWORD);
  }

  @AfterAll
  static void stop() {
    ClientProperties.useSecurity(KafkaSecurity.PLAINTEXT);
    if (secured != null) {
      secured.close();
    }
  }

  @AfterEach
  void plaintextAgain() {
    ClientProperties.useSecurity(KafkaSecurity.PLAINTEXT);
  }

  @Test
  void saslSslClientsCreateTopicsProduceAndConsume() throws Exception {
    ClientProperties.useSecurity(sasl(USER_PASSWORD, ca.truststore()));
    roundTrip(kafka.bootstrapServers("SASL_SSL"), "sasl");
  }

  @Test
  void mutualTlsClientsWithACertificateTheBrokerTrustsWork() throws Exception {
    ClientProperties.useSecurity(mtls(Optional.of(clientKeystore)));
    roundTrip(kafka.bootstrapServers("SSL"), "mtls");
  }

  @Test
  void aWrongPasswordFailsFastNamingThePasswordSetting() {
    ClientProperties.useSecurity(sasl("not-the-password", ca.truststore()));
    String message = failureOf(kafka.bootstrapServers("SASL_SSL"));
    assertTrue(message.contains("kafka.sasl.password"), message);
    assertFalse(message.contains("not-the-password"), "the password is not printed: " + message);
  }

  @Test
  void anUntrustedBrokerCertificateFailsFastNamingTheTruststore() {
    ClientProperties.useSecurity(sasl(USER_PASSWORD, stranger.truststore()));
    String message = failureOf(kafka.bootstrapServers("SASL_SSL"));
    assertTrue(message.contains("not signed by a CA in kafka.ssl.truststore.location"), message);
  }

  @Test
  void noClientCertificateOnTheMutualTlsListenerFailsFast() {
    ClientProperties.useSecurity(mtls(Optional.empty()));
    String message = failureOf(kafka.bootstrapServers("SSL"));
    assertTrue(message.contains("TLS handshake"), message);
    assertTrue(message.contains("kafka.ssl.keystore.location"), message);
  }

  /** Topics.createAll, as every service's start does, and the one-line message it fails with. */
  private static String failureOf(String bootstrap) {
    long t0 = System.nanoTime();
    try (Admin admin = Admin.create(ClientProperties.admin(bootstrap, "it-secure-admin"))) {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> Topics.createAll(admin, (short) 1, Duration.ofSeconds(60)));
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      assertTrue(took.compareTo(FAIL_FAST) < 0, "failed after " + took + ", not fast");
      assertEquals(1, e.getMessage().lines().count(), e.getMessage());
      System.out.println("secure IT: failed in " + took.toMillis() + " ms: " + e.getMessage());
      return e.getMessage();
    }
  }

  private static void roundTrip(String bootstrap, String clientId) throws Exception {
    try (Admin admin = Admin.create(ClientProperties.admin(bootstrap, clientId + "-admin"))) {
      Topics.createAll(admin, (short) 1, Duration.ofSeconds(60));
    }
    String topic = Topics.DEAD_LETTER.name();
    byte[] value = ("hello over " + clientId).getBytes(StandardCharsets.UTF_8);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(ClientProperties.idempotentProducer(bootstrap, clientId))) {
      producer.send(new ProducerRecord<>(topic, value)).get();
    }
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(ClientProperties.byteConsumer(bootstrap, clientId + "-c", true))) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      boolean seen = false;
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!seen && System.nanoTime() < deadline) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
        for (var r : records) {
          seen |=
              new String(r.value(), StandardCharsets.UTF_8)
                  .equals(new String(value, StandardCharsets.UTF_8));
        }
      }
      assertTrue(seen, "record read back over " + clientId);
    }
  }

  private static KafkaSecurity sasl(String password, Path truststore) {
    return KafkaSecurity.scramOverTls(USER, password, truststore, PASSWORD);
  }

  private static KafkaSecurity mtls(Optional<Path> keystore) {
    return new KafkaSecurity(
        "SSL",
        "SCRAM-SHA-512",
        "",
        "",
        Optional.of(ca.truststore()),
        PASSWORD,
        keystore,
        keystore.isPresent() ? PASSWORD : "",
        true);
  }
}
