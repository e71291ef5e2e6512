package io.advrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.attackworker.AttackWorkerService;
import io.advrank.attackworker.AttackWorkerSettings;
import io.advrank.attackworker.StagingFence;
import io.advrank.embedded.EmbeddedKafka;
import io.advrank.embedded.SecuredKafka;
import io.advrank.producer.ProducerService;
import io.advrank.producer.ProducerSettings;
import io.advrank.proto.v1.RankingResult;
import io.advrank.ranker.RankerMain;
import io.advrank.ranker.RankerService;
import io.advrank.ranker.RankerSettings;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.settings.KafkaSecurity;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.settings.SettingsSource;
import io.advrank.runtime.topic.Topics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * producer → attack-worker → ranker, the real services, through a broker's TLS + SCRAM-SHA-512
 * listener only, configured as a user would ({@code kafka.security.protocol}, {@code kafka.sasl.*},
 * {@code kafka.ssl.*}); and a ranker given a wrong password exits at once with one line.
 */
class SecurePipelineIT {
  private static final Path MODEL = Path.of("../../models/fmnist-c2f1");
  private static final String USER = "advrank";
  private static final String PASSWORD = "pipeline-secret";
  private static final int CATALOG = 150;
  private static final int QUERIES = 40;

  private static SecuredKafka secured;
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void start() throws Exception {
    secured = SecuredKafka.withoutAcls(Map.of(USER, PASSWORD));
    kafka = secured.kafka();
  }

  @AfterAll
  static void stop() {
    ClientProperties.useSecurity(KafkaSecurity.PLAINTEXT);
    if (secured != null) {
      secured.close();
    }
  }

  @Test
  void everyQueryIsRankedThroughTlsAndScramWithAttacksMarked() throws Exception {
    Map<String, String> common = secured(PASSWORD);
    KafkaSettings kafkaSettings = KafkaSettings.from(source(KafkaSettings.KEYS, common));
    // What every service's Main does with its settings.
    ClientProperties.useSecurity(kafkaSettings.security());
    try (Admin admin =
        Admin.create(ClientProperties.admin(kafkaSettings.bootstrapServers(), "it"))) {
      Topics.createAll(admin, (short) 1, Duration.ofSeconds(60));
    }
    Map<String, String> ranker = new HashMap<>(common);
    ranker.put(RankerSettings.MODEL_DIR.key(), MODEL.toString());
    ranker.put(RankerSettings.DEVICE.key(), "cpu");
    Map<String, String> worker = new HashMap<>(common);
    worker.put(AttackWorkerSettings.MODEL_DIR.key(), MODEL.toString());
    worker.put(AttackWorkerSettings.DEVICE.key(), "cpu");
    worker.put(
        AttackWorkerSettings.CAMPAIGN.key(),
        "CA+ eps=0.1 w=1 fraction=0.1; SP-QA+ eps=0.1 m=1 fraction=0.2");
    worker.putAll(StagingFence.settingsFor(kafka.clusterId()));
    // An attack needs a gallery: rebuilt soon after the catalog arrives, not after 5 s.
    worker.put(AttackWorkerSettings.GALLERY_REBUILD_ITEMS.key(), "50");
    worker.put(AttackWorkerSettings.GALLERY_REBUILD_INTERVAL.key(), "200ms");
    Map<String, String> producer = new HashMap<>(common);
    producer.put(ProducerSettings.DATA_DIR.key(), CliRun.FIXTURE.toString());
    producer.put(ProducerSettings.CATALOG_LIMIT.key(), Integer.toString(CATALOG));
    producer.put(ProducerSettings.QUERY_LIMIT.key(), Integer.toString(QUERIES));
    producer.put(ProducerSettings.QUERY_RATE.key(), "5");
    producer.put(ProducerSettings.QUERY_HELD_OUT.key(), "true");
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Clock clock = Clock.systemUTC();
    try (RankerService r =
            RankerService.create(
                RankerSettings.from(source(RankerSettings.KEYS, ranker)), clock, registry);
        AttackWorkerService w =
            AttackWorkerService.create(
                AttackWorkerSettings.from(source(AttackWorkerSettings.KEYS, worker)),
                clock,
                registry);
        ProducerService p =
            ProducerService.create(
                ProducerSettings.from(source(ProducerSettings.KEYS, producer)), clock, registry)) {
      r.start();
      w.start();
      assertTrue(w.awaitReady(Duration.ofSeconds(60)), "attack-worker ready over SASL_SSL");
      p.start();
      Set<String> ranked = new HashSet<>();
      for (ConsumerRecord<byte[], byte[]> rec :
          readAll(Topics.RANKINGS.name(), QUERIES, Duration.ofSeconds(240))) {
        RankingResult result =
            Topics.RANKINGS.valueSerde().deserializer().deserialize(rec.topic(), rec.value());
        ranked.add(result.getQueryEventId());
      }
      assertTrue(r.failure().isEmpty(), () -> "ranker failed: " + r.failure());
      assertTrue(w.failure().isEmpty(), () -> "attack-worker failed: " + w.failure());
      assertEquals(QUERIES, ranked.size(), "queries ranked through TLS + SCRAM");
      List<ConsumerRecord<byte[], byte[]>> delivered =
          readAll(Topics.QUERIES_DELIVERED.name(), QUERIES, Duration.ofSeconds(30));
      long marked =
          delivered.stream()
              .filter(d -> d.headers().lastHeader("advrank.adversarial") != null)
              .count();
      System.out.printf(
          "secure pipeline IT: %d queries ranked, %d of %d delivered queries perturbed (marked)%n",
          ranked.size(), marked, delivered.size());
      registry
          .scrape()
          .lines()
          .filter(l -> l.startsWith("advrank_") && !l.startsWith("advrank_ranking"))
          .limit(60)
          .forEach(System.out::println);
      assertTrue(marked > 0, "some queries were attacked and marked adversarial");
      assertTrue(marked < delivered.size(), "benign queries are not marked");
    } finally {
      ClientProperties.useSecurity(KafkaSecurity.PLAINTEXT);
    }
  }

  @Test
  void aRankerWithAWrongPasswordExitsAtOnceWithOneLineNamingThePassword() throws Exception {
    List<String> args = new ArrayList<>();
    secured("wrong-" + PASSWORD).forEach((k, v) -> args.add("--" + k + "=" + v));
    args.add("--" + RankerSettings.METRICS_PORT.key() + "=0");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream saved = System.err;
    long t0 = System.nanoTime();
    int code;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code = RankerMain.run(args.toArray(String[]::new), Map.of());
    } finally {
      System.setErr(saved);
      ClientProperties.useSecurity(KafkaSecurity.PLAINTEXT);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    String printed = err.toString(StandardCharsets.UTF_8);
    System.out.println(
        "secure pipeline IT: ranker exited "
            + code
            + " after "
            + took.toMillis()
            + " ms: "
            + printed.strip());
    assertEquals(1, code);
    assertTrue(took.compareTo(Duration.ofSeconds(30)) < 0, "exited after " + took);
    List<String> ours = printed.lines().filter(l -> l.startsWith("advrank ranker:")).toList();
    assertEquals(1, ours.size(), printed);
    assertTrue(ours.get(0).contains("kafka.sasl.password"), printed);
    assertFalse(printed.contains(PASSWORD), "no password printed: " + printed);
  }

  private static Map<String, String> secured(String password) {
    Map<String, String> m = new HashMap<>();
    m.put(KafkaSettings.BOOTSTRAP_SERVERS, kafka.bootstrapServers("SASL_SSL"));
    m.put(KafkaSecurity.PROTOCOL, "SASL_SSL");
    m.put(KafkaSecurity.SASL_USERNAME, USER);
    m.put(KafkaSecurity.SASL_PASSWORD, password);
    m.put(KafkaSecurity.TRUSTSTORE, secured.truststore().toString());
    m.put(KafkaSecurity.TRUSTSTORE_PASSWORD, secured.storePassword());
    return m;
  }

  private static SettingsSource source(Set<String> keys, Map<String, String> flags) {
    return SettingsSource.load(keys, flags, Map.of(), null);
  }

  /** Every record of a one-partition topic once at least {@code n} are there. */
  private static List<ConsumerRecord<byte[], byte[]>> readAll(
      String topic, int n, Duration timeout) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(
            ClientProperties.byteConsumer(kafka.bootstrapServers("SASL_SSL"), "it-read", true))) {
      List<TopicPartition> partitions =
          c.partitionsFor(topic).stream()
              .map(i -> new TopicPartition(i.topic(), i.partition()))
              .toList();
      c.assign(partitions);
      c.seekToBeginning(partitions);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (out.size() < n && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }
}
