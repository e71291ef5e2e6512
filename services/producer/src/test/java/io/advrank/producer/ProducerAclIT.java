package io.advrank.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.embedded.EmbeddedKafka;
import io.advrank.embedded.SecuredKafka;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.settings.KafkaSecurity;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.topic.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On a broker that authorises by ACLs, the producer with exactly {@link ProducerAcls} sends its
 * catalog and queries over TLS + SCRAM, and cannot write any other topic.
 */
class ProducerAclIT {
  private static final String USER = "advrank-producer";
  private static final String PASSWORD = "producer-secret";

  private static SecuredKafka secured;
  private static EmbeddedKafka kafka;
  private static KafkaSecurity security;

  @BeforeAll
  static void start() throws Exception {
    secured = SecuredKafka.withAcls(Map.of(USER, PASSWORD));
    kafka = secured.kafka();
    security =
        KafkaSecurity.scramOverTls(USER, PASSWORD, secured.truststore(), secured.storePassword());
    try (Admin admin = superAdmin()) {
      Topics.createAll(admin, (short) 1, Duration.ofSeconds(60));
    }
    // grant waits until the broker applies them: a client right after createAcls was refused once.
    kafka.grant(ProducerAcls.of("User:" + USER));
    ClientProperties.useSecurity(security);
  }

  @AfterAll
  static void stop() {
    ClientProperties.useSecurity(KafkaSecurity.PLAINTEXT);
    if (secured != null) {
      secured.close();
    }
  }

  @Test
  void sendsCatalogAndQueriesWithExactlyItsAcls() throws Exception {
    // What every service's Main does first: with DESCRIBE on advrank.*, it finds every topic.
    try (Admin admin =
        Admin.create(ClientProperties.admin(kafka.bootstrapServers("SASL_SSL"), "acl-start"))) {
      assertEquals(Set.of(), Topics.createAll(admin, (short) 1, Duration.ofSeconds(60)));
    }
    ProducerSettings settings =
        new ProducerSettings(
            ProducerServiceTest.FIXTURE,
            60,
            0,
            200,
            20,
            Duration.ZERO,
            true,
            3,
            "acl-0",
            0,
            new KafkaSettings(kafka.bootstrapServers("SASL_SSL"), (short) 1, security),
            ImageShape.FASHION_MNIST,
            ImageEncoding.SOURCE);
    try (ProducerService service =
        ProducerService.create(settings, Clock.systemUTC(), new SimpleMeterRegistry())) {
      service.start();
      assertTrue(service.awaitCompletion(Duration.ofSeconds(60)), "finished");
      assertTrue(service.failure().isEmpty(), () -> "failure: " + service.failure());
    }
    assertEquals(60, endOffset(Topics.CATALOG.name()));
    assertEquals(20, endOffset(Topics.QUERIES.name()));
  }

  @Test
  void itsPrincipalCannotWriteTheDeliveredCatalog() throws Exception {
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            ClientProperties.idempotentProducer(kafka.bootstrapServers("SASL_SSL"), "acl-probe"))) {
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () ->
                  producer
                      .send(new ProducerRecord<>(Topics.CATALOG_DELIVERED.name(), new byte[] {1}))
                      .get());
      assertInstanceOf(TopicAuthorizationException.class, e.getCause(), e.toString());
    }
  }

  /** Records on {@code topic}: the sum of its partitions' end offsets (no transactions here). */
  private static long endOffset(String topic) throws Exception {
    try (Admin admin = superAdmin()) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      admin
          .describeTopics(List.of(topic))
          .allTopicNames()
          .get()
          .get(topic)
          .partitions()
          .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      return admin.listOffsets(latest).all().get().values().stream()
          .mapToLong(o -> o.offset())
          .sum();
    }
  }

  /** The plain-text listener: a super user, for the test's own checks. */
  private static Admin superAdmin() {
    return secured.superAdmin();
  }
}
