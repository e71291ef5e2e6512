package io.advrank.attackworker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.embedded.EmbeddedKafka;
import io.advrank.embedded.SecuredKafka;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.model.ModelTrust;
import io.advrank.runtime.settings.KafkaSecurity;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.topic.Topics;
import io.advrank.serving.DeviceChoice;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On a broker that authorises by ACLs, an attack-worker whose principal has exactly {@link
 * AttackWorkerAcls} delivers every event and attacks, over TLS + SCRAM; the same principal cannot
 * write a topic outside its allow-list.
 */
class AttackWorkerAclIT {
  private static final String USER = "advrank-attack-worker";
  private static final String PASSWORD = "worker-secret";
  private static final int CATALOG = 120;
  private static final int QUERIES = 40;

  private static SecuredKafka secured;
  private static EmbeddedKafka kafka;
  private static AttackWorkerSettings settings;

  @BeforeAll
  static void start() throws Exception {
    secured = SecuredKafka.withAcls(Map.of(USER, PASSWORD));
    kafka = secured.kafka();
    KafkaSecurity worker =
        KafkaSecurity.scramOverTls(USER, PASSWORD, secured.truststore(), secured.storePassword());
    settings =
        new AttackWorkerSettings(
            TestKafka.MODEL,
            Campaign.parse("CA+ eps=0.1 w=1 fraction=0.2; SP-QA+ eps=0.1 m=1 fraction=0.3", 17),
            16,
            Duration.ofMillis(20),
            50,
            Duration.ofMillis(200),
            16384,
            "it-acl-attackers",
            "acl-worker",
            0,
            DeviceChoice.parse("cpu"),
            new KafkaSettings(kafka.bootstrapServers("SASL_SSL"), (short) 1, worker),
            new StagingFence(Set.copyOf(StagingFence.WRITES), kafka.clusterId()),
            ModelTrust.NONE);
    // An administrator (the plain-text listener is a super user) creates the topics and the ACLs.
    try (Admin admin = secured.superAdmin()) {
      Topics.createAll(admin, (short) 1, Duration.ofSeconds(60));
    }
    // grant waits until the broker applies them: a client right after createAcls was refused once.
    kafka.grant(AttackWorkerAcls.of(settings, "User:" + USER));
    ClientProperties.useSecurity(worker);
  }

  @AfterAll
  static void stop() {
    ClientProperties.useSecurity(KafkaSecurity.PLAINTEXT);
    if (secured != null) {
      secured.close();
    }
  }

  @Test
  void worksWithExactlyItsAclsAndAttacks() throws Exception {
    // What every service's Main does first: with DESCRIBE on advrank.*, it finds every topic.
    try (Admin admin =
        Admin.create(ClientProperties.admin(settings.kafka().bootstrapServers(), "acl-start"))) {
      assertEquals(Set.of(), Topics.createAll(admin, (short) 1, Duration.ofSeconds(60)));
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    TestKafka.produce(kafka, Topics.CATALOG, TestKafka.catalog(CATALOG));
    try (AttackWorkerService worker =
        AttackWorkerService.create(settings, Clock.systemUTC(), registry)) {
      worker.start();
      assertTrue(worker.awaitReady(Duration.ofSeconds(60)), "ready with its ACLs only");
      TestKafka.produce(kafka, Topics.QUERIES, TestKafka.queries(CATALOG, QUERIES));
      List<ImageEvent> delivered =
          TestKafka.values(
              Topics.QUERIES_DELIVERED,
              TestKafka.read(
                  kafka,
                  Topics.QUERIES_DELIVERED.name(),
                  true,
                  r -> r.size() >= QUERIES,
                  Duration.ofSeconds(120)));
      assertTrue(worker.failure().isEmpty(), () -> "worker failed: " + worker.failure());
      assertEquals(QUERIES, delivered.size(), "every query delivered");
      int shifts =
          TestKafka.read(
                  kafka, Topics.RANK_SHIFTS.name(), true, r -> !r.isEmpty(), Duration.ofSeconds(30))
              .size();
      System.out.printf(
          "acl IT: %d queries delivered, %d rank shifts, by %s with %d ACLs%n",
          delivered.size(), shifts, USER, AttackWorkerAcls.of(settings, "User:" + USER).size());
      assertTrue(shifts > 0, "it attacked");
    }
  }

  @Test
  void itsPrincipalCannotWriteATopicOutsideItsAllowList() throws Exception {
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            ClientProperties.idempotentProducer(kafka.bootstrapServers("SASL_SSL"), "acl-probe"))) {
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () ->
                  producer
                      .send(new ProducerRecord<>(Topics.RANKINGS.name(), new byte[] {1}))
                      .get());
      assertInstanceOf(TopicAuthorizationException.class, e.getCause(), e.toString());
    }
  }
}
