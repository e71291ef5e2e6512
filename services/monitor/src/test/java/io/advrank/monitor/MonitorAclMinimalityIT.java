package io.advrank.monitor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.embedded.EmbeddedKafka;
import io.advrank.embedded.SecuredKafka;
import io.advrank.proto.v1.Hit;
import io.advrank.proto.v1.RankingResult;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.settings.KafkaSecurity;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.topic.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each of the monitor's ACLs is needed: with any one of {@link MonitorAcls} removed (a principal
 * and application id per case), start-up's topic check fails or a monitor fed rankings (benign,
 * hijacked and garbage) stops with an error within 60 s. {@code MonitorAclIT} shows the whole set
 * works. The one exception, not tried: DELETE on the internal topics, which Streams uses only to
 * purge the repartition topic every 30 s; the monitor runs without it, but that topic (kept
 * forever) is then never trimmed.
 */
class MonitorAclMinimalityIT {
  private static final String PASSWORD = "monitor-secret";
  private static final int CASES = 11;
  private static final Duration FAILS_WITHIN = Duration.ofSeconds(60);

  private static SecuredKafka secured;
  private static EmbeddedKafka kafka;
  @TempDir static Path dir; // the Streams state

  @BeforeAll
  static void start() throws Exception {
    Map<String, String> users = new HashMap<>();
    for (int i = 0; i < CASES; i++) {
      users.put(user(i), PASSWORD);
    }
    secured = SecuredKafka.withAcls(users);
    kafka = secured.kafka();
    try (Admin admin = secured.superAdmin()) {
      Topics.createAll(admin, (short) 1, Duration.ofSeconds(60));
    }
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    long t0 = System.currentTimeMillis();
    try (KafkaProducer<byte[], byte[]> out =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      out.send(rankings("garbage", new byte[] {(byte) 0xff, 0x01}, t0));
      for (int i = 0; i < 20; i++) {
        out.send(ranking("q-" + i, 0.01 + 0.001 * i, t0 + i));
      }
      out.send(ranking("q-hijacked", 0.5, t0 + 100));
    }
  }

  @AfterAll
  static void stop() {
    ClientProperties.useSecurity(KafkaSecurity.PLAINTEXT);
    if (secured != null) {
      secured.close();
    }
  }

  @Test
  void stopsWithoutAnyOneOfItsAcls() throws Exception {
    List<String> notNeeded = new ArrayList<>();
    for (int i = 0; i < CASES; i++) {
      KafkaSecurity security = security(user(i));
      MonitorSettings settings = settings("acl-min-" + i, security);
      List<AclBinding> acls = new ArrayList<>(MonitorAcls.of(settings, "User:" + user(i)));
      assertTrue(CASES == acls.size(), "one case per ACL: " + acls.size());
      AclBinding removed = acls.remove(i);
      if (removed.entry().operation() == AclOperation.DELETE) {
        continue;
      }
      kafka.grant(acls);
      ClientProperties.useSecurity(security);
      long t = System.nanoTime();
      Optional<Throwable> failure = startUpCheck(settings);
      if (failure.isEmpty()) {
        failure = run(settings, t);
      }
      String what = removed.pattern() + " " + removed.entry().operation();
      System.out.printf(
          "monitor acl minimality: without %s: %s after %d ms%n",
          what,
          failure.map(Throwable::toString).orElse("still running"),
          (System.nanoTime() - t) / 1_000_000);
      if (failure.isEmpty()) {
        notNeeded.add(what);
      }
    }
    assertTrue(notNeeded.isEmpty(), () -> "ran without: " + notNeeded);
  }

  /** What {@code MonitorMain} does first: check (and create) the advrank topics. */
  private static Optional<Throwable> startUpCheck(MonitorSettings settings) {
    try (Admin admin =
        Admin.create(ClientProperties.admin(settings.kafka().bootstrapServers(), "acl-start"))) {
      Topics.createAll(admin, (short) 1, Duration.ofSeconds(10));
      return Optional.empty();
    } catch (RuntimeException e) {
      return Optional.of(e);
    }
  }

  private static Optional<Throwable> run(MonitorSettings settings, long t) throws Exception {
    try (MonitorService service = MonitorService.create(settings, new SimpleMeterRegistry())) {
      service.start();
      long deadline = t + FAILS_WITHIN.toNanos();
      while (service.failure().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      return service.failure();
    }
  }

  private static String user(int i) {
    return "advrank-monitor-" + i;
  }

  private static MonitorSettings settings(String applicationId, KafkaSecurity security) {
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
        new KafkaSettings(kafka.bootstrapServers("SASL_SSL"), (short) 1, security),
        MonitorSettings.SOURCE_LIVE,
        null);
  }

  private static KafkaSecurity security(String user) {
    return KafkaSecurity.scramOverTls(
        user, PASSWORD, secured.truststore(), secured.storePassword());
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
    return rankings(query, r.toByteArray(), ts);
  }

  private static ProducerRecord<byte[], byte[]> rankings(String key, byte[] value, long ts) {
    return new ProducerRecord<>(Topics.RANKINGS.name(), 0, ts, key.getBytes(), value);
  }
}
