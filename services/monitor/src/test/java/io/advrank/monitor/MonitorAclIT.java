package io.advrank.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.embedded.EmbeddedKafka;
import io.advrank.embedded.SecuredKafka;
import io.advrank.proto.v1.AnomalyAlert;
import io.advrank.proto.v1.Hit;
import io.advrank.proto.v1.RankingResult;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.settings.KafkaSecurity;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.topic.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a broker that authorises by ACLs, a monitor (Kafka Streams, exactly-once v2) whose principal
 * has exactly {@link MonitorAcls} alerts and dead-letters over TLS + SCRAM, before and after a
 * restart; it cannot write a topic it has no business with, and stops when the ACL on its internal
 * topics' prefix is missing.
 */
class MonitorAclIT {
  private static final String USER = "advrank-monitor";
  private static final String PASSWORD = "monitor-secret";

  /** A second principal, with every monitor ACL but one (and its own application id). */
  private static final String LESSER = "advrank-monitor-lesser";

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private static SecuredKafka secured;
  private static EmbeddedKafka kafka;
  private static KafkaSecurity monitor;
  private static KafkaSecurity lesser;
  @TempDir static Path dir; // the Streams state

  @BeforeAll
  static void start() throws Exception {
    secured = SecuredKafka.withAcls(Map.of(USER, PASSWORD, LESSER, PASSWORD));
    kafka = secured.kafka();
    monitor = security(USER);
    lesser = security(LESSER);
    // An administrator (the plain-text listener is a super user) creates the topics and the ACLs.
    try (Admin admin = superAdmin()) {
      Topics.createAll(admin, (short) 1, Duration.ofSeconds(60));
    }
    kafka.grant(MonitorAcls.of(settings("acl-monitor"), "User:" + USER));
  }

  @AfterAll
  static void stop() {
    ClientProperties.useSecurity(KafkaSecurity.PLAINTEXT);
    if (secured != null) {
      secured.close();
    }
  }

  @Test
  void alertsAndDeadLettersWithExactlyItsAcls() throws Exception {
    ClientProperties.useSecurity(monitor);
    MonitorSettings settings = settings("acl-monitor");
    // What every service's Main does first: with DESCRIBE on advrank.*, it finds every topic.
    try (Admin admin =
        Admin.create(ClientProperties.admin(settings.kafka().bootstrapServers(), "acl-start"))) {
      assertEquals(Set.of(), Topics.createAll(admin, (short) 1, Duration.ofSeconds(60)));
    }
    long t0 = System.currentTimeMillis();
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      producer.send(record("acl-garbage", new byte[] {(byte) 0xff, 0x01}, t0));
      for (int i = 0; i < 20; i++) {
        producer.send(ranking("acl-q-" + i, 0.01 + 0.001 * i, t0 + i));
      }
      producer.send(ranking("acl-q-hijacked", 0.5, t0 + 100));
    }
    try (MonitorService service = MonitorService.create(settings, new SimpleMeterRegistry())) {
      service.start();
      List<String> alerted = new ArrayList<>();
      read(
          Topics.ALERTS.name(),
          records -> {
            alerted.clear();
            records.forEach(r -> alerted.add(alert(r).getSubjectId()));
            return alerted.contains("acl-q-hijacked") || service.failure().isPresent();
          });
      assertTrue(service.failure().isEmpty(), () -> "monitor failed: " + service.failure());
      assertEquals(List.of("acl-q-hijacked"), alerted, "the hijacked query alone is alerted");
      var letters = read(Topics.DEAD_LETTER.name(), r -> !r.isEmpty());
      assertEquals("malformed", DeadLetters.header(letters.get(0).headers(), DeadLetters.REASON));
      assertTrue(service.running(), "still running");
      System.out.printf(
          "monitor acl IT: %d alert, %d dead letter by %s with %d ACLs%n",
          alerted.size(), letters.size(), USER, MonitorAcls.of(settings, "User:" + USER).size());
    }
    // A restart finds its internal topics and restores its stores with the same ACLs.
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      producer.send(ranking("acl-q-second", 0.4, t0 + 300));
    }
    try (MonitorService service = MonitorService.create(settings, new SimpleMeterRegistry())) {
      service.start();
      List<String> alerted = new ArrayList<>();
      read(
          Topics.ALERTS.name(),
          records -> {
            alerted.clear();
            records.forEach(r -> alerted.add(alert(r).getSubjectId()));
            return alerted.contains("acl-q-second") || service.failure().isPresent();
          });
      assertTrue(
          service.failure().isEmpty(), () -> "restarted monitor failed: " + service.failure());
      assertEquals(List.of("acl-q-hijacked", "acl-q-second"), alerted);
    }
  }

  @Test
  void itsPrincipalCannotWriteTheModels() throws Exception {
    ClientProperties.useSecurity(monitor);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            ClientProperties.idempotentProducer(kafka.bootstrapServers("SASL_SSL"), "acl-probe"))) {
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () ->
                  producer.send(new ProducerRecord<>(Topics.MODELS.name(), new byte[] {1})).get());
      assertInstanceOf(TopicAuthorizationException.class, e.getCause(), e.toString());
    }
  }

  @Test
  void stopsWithoutCreateOnItsInternalTopicsPrefix() throws Exception {
    MonitorSettings settings = settings("acl-lesser");
    List<AclBinding> acls = new ArrayList<>(MonitorAcls.of(settings, "User:" + LESSER));
    assertTrue(acls.removeIf(MonitorAclIT::createOnInternalTopics), "the ACL is in the set");
    kafka.grant(acls);
    ClientProperties.useSecurity(lesser);
    try (MonitorService service = MonitorService.create(settings, new SimpleMeterRegistry())) {
      service.start();
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (service.failure().isEmpty() && !service.running()) {
        assertTrue(System.nanoTime() < deadline, "neither failed nor running");
        Thread.sleep(100);
      }
      assertFalse(service.running(), "cannot run without creating its internal topics");
      assertTrue(
          service.failure().orElseThrow().getMessage().contains("Could not create topic"),
          () -> "another reason: " + service.failure());
      System.out.printf("monitor acl IT: without CREATE: %s%n", service.failure().orElseThrow());
    }
  }

  private static boolean createOnInternalTopics(AclBinding b) {
    return b.pattern().resourceType() == ResourceType.TOPIC
        && b.pattern().patternType() == PatternType.PREFIXED
        && b.pattern().name().equals("acl-lesser-")
        && b.entry().operation() == AclOperation.CREATE;
  }

  private static MonitorSettings settings(String applicationId) {
    return new MonitorSettings(
        applicationId,
        Duration.ofMinutes(10),
        20,
        2,
        0.05,
        0.05,
        0.3,
        20,
        dir.resolve("state-" + applicationId),
        0,
        0,
        new KafkaSettings(kafka.bootstrapServers("SASL_SSL"), (short) 1, monitor),
        MonitorSettings.SOURCE_LIVE,
        null);
  }

  private static KafkaSecurity security(String user) {
    return KafkaSecurity.scramOverTls(
        user, PASSWORD, secured.truststore(), secured.storePassword());
  }

  private static AnomalyAlert alert(ConsumerRecord<byte[], byte[]> r) {
    return Topics.ALERTS.valueSerde().deserializer().deserialize(r.topic(), r.value());
  }

  private static ProducerRecord<byte[], byte[]> ranking(String query, double score, long ts) {
    RankingResult r =
        RankingResult.newBuilder()
            .setQueryId(query)
            .setQueryEventId(query + "-event")
            .setModelVersion("v1")
            .setGallerySize(10)
            .addHits(Hit.newBuilder().setItemId("item-1").setDistance(0.1f))
            .setConsistencyScore((float) score)
            .build();
    return record(query, r.toByteArray(), ts);
  }

  private static ProducerRecord<byte[], byte[]> record(String key, byte[] value, long ts) {
    return new ProducerRecord<>(Topics.RANKINGS.name(), 0, ts, key.getBytes(), value);
  }

  /** The plain-text listener: a super user, for the test's own records and checks. */
  private static Admin superAdmin() {
    return secured.superAdmin();
  }

  private static KafkaProducer<byte[], byte[]> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static List<ConsumerRecord<byte[], byte[]>> read(
      String topic, Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      while (!done.test(out)) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("timed out reading " + topic + "; got " + out.size());
        }
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }
}
