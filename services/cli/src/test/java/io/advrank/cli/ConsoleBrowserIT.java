package io.advrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import io.advrank.proto.v1.ModelVersion;
import io.advrank.runtime.model.AssembledModel;
import io.advrank.runtime.model.ModelChunks;
import io.advrank.runtime.topic.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The web console in a real browser against a running demo: {@code advrank demo} in its own JVM
 * (embedded broker, producer, attack-worker, ranker, monitor; the committed Fashion-MNIST fixture)
 * prints the console's URL; headless Chromium loads it, and the test waits until the page shows
 * attack images that rendered (natural width > 0), a hijacked query's ranking as thumbnails, and
 * alerts; then an unsigned model version is written to the demo's {@code advrank.models}, and the
 * page must list it as refused for its signature, as the demo's model feeds refuse it. Screenshots
 * go to {@code target/console-it.png} and {@code target/console-it-models.png}.
 *
 * <p>The monitor calibrates on 100 scores and 2 windows of 10 s here (its defaults, 1000 and 3 of
 * 30 s, would raise the first alert after minutes): the test is about the page showing alerts, not
 * about detection quality, which {@code bench detect} measures.
 *
 * <p>Without Chromium and chromedriver the test is skipped with a message, unless {@code
 * ADVRANK_REQUIRE_BROWSER=1} (CI), where it fails.
 */
class ConsoleBrowserIT {
  private static final Pattern URL = Pattern.compile("demo: web console at (http://\\S+)");
  private static final Duration PAGE_DEADLINE = Duration.ofSeconds(150);

  /** What the test reads from the page: counts of rendered elements. */
  private static final String PROBE =
      """
      const loaded = sel => [...document.querySelectorAll(sel)]
          .filter(i => i.complete && i.naturalWidth > 0);
      return {
        attackImages: document.querySelectorAll('img.attack-img').length,
        attackLoaded: loaded('img.attack-img').length,
        attackWidth: loaded('img.attack-img.adversarial').map(i => i.naturalWidth)[0] || 0,
        perturbationLoaded: loaded('img.attack-img.perturbation').length,
        hitsLoaded: loaded('#hijacks img.hit').length,
        rankings: document.querySelectorAll('#hijacks .ranking').length,
        alerts: document.querySelectorAll('#alerts tr.alert').length,
        refusedVersions: [...document.querySelectorAll('#versions tr.refused')]
            .map(r => r.textContent.replace(/\\s+/g, ' ')).join(' | '),
        servableVersions: document.querySelectorAll('#versions tr.servable').length,
        status: document.getElementById('status').textContent
      };
      """;

  @Test
  void showsAttackImagesRankingsAndAlertsOfARunningDemo() throws Exception {
    Optional<String> missing = HeadlessChromium.missing();
    if (missing.isPresent()) {
      if ("1".equals(System.getenv("ADVRANK_REQUIRE_BROWSER"))) {
        fail("ADVRANK_REQUIRE_BROWSER=1 but " + missing.get());
      }
      Assumptions.abort(
          "skipped: " + missing.get() + "; set ADVRANK_REQUIRE_BROWSER=1 to fail instead");
    }
    Process demo = startDemo();
    List<String> log = new ArrayList<>();
    try {
      String url = awaitUrl(demo, log);
      try (HeadlessChromium browser = HeadlessChromium.start()) {
        browser.open(url);
        JsonObject page = awaitPage(browser);
        Files.write(Path.of("target/console-it.png"), browser.screenshot());
        // Fashion-MNIST's 28×28 images are scaled 4× to 112 px, nearest-neighbour.
        assertEquals(112, page.get("attackWidth").getAsInt(), page.toString());
        assertTrue(page.get("perturbationLoaded").getAsInt() > 0, page.toString());
        assertTrue(page.get("attackLoaded").getAsInt() >= 3, page.toString());
        assertTrue(page.get("rankings").getAsInt() >= 2, page.toString());
        assertTrue(page.get("hitsLoaded").getAsInt() >= 10, page.toString());
        assertTrue(page.get("alerts").getAsInt() >= 1, page.toString());
        // An unsigned version written straight to the topic: every model feed of the demo
        // refuses it (they trust the demo's key only), so the page must list it as refused.
        publishUnsigned(awaitLine(log, KAFKA), UNSIGNED);
        page = awaitRefused(browser);
        Files.write(Path.of("target/console-it-models.png"), browser.screenshot());
        String refused = page.get("refusedVersions").getAsString();
        assertTrue(
            refused.contains(UNSIGNED) && refused.contains("refused: signature"), page.toString());
        assertEquals(0, page.get("servableVersions").getAsInt(), page.toString());
      }
    } finally {
      demo.destroy(); // SIGTERM: the demo's shutdown hook stops the pipeline
      if (!demo.waitFor(60, TimeUnit.SECONDS)) {
        demo.destroyForcibly();
      }
      synchronized (log) {
        Files.write(Path.of("target/console-it-demo.log"), log);
      }
    }
  }

  private static final Pattern KAFKA = Pattern.compile("demo: embedded Kafka at (\\S+)");
  private static final String UNSIGNED = "browser-it-unsigned";

  /** A whole, consistent one-chunk version without a signature, on the demo's broker. */
  private static void publishUnsigned(String bootstrap, String version) throws Exception {
    AssembledModel m =
        AssembledModel.of(version, "", "{}", System.currentTimeMillis(), new byte[64]);
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (ModelVersion chunk : ModelChunks.split(m)) {
        String key = Topics.modelChunkKey(version, chunk.getChunkIndex());
        producer
            .send(
                new ProducerRecord<>(
                    Topics.MODELS.name(),
                    key.getBytes(StandardCharsets.UTF_8),
                    chunk.toByteArray()))
            .get(30, TimeUnit.SECONDS);
      }
    }
  }

  /** Polls the page until it lists a refused version, or 30 s pass. */
  private static JsonObject awaitRefused(HeadlessChromium browser) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    JsonObject page;
    do {
      Thread.sleep(1000);
      page = browser.run(PROBE).getAsJsonObject();
    } while (page.get("refusedVersions").getAsString().isEmpty() && System.nanoTime() < deadline);
    return page;
  }

  /** The first group of {@code pattern} in the demo's output so far. */
  private static String awaitLine(List<String> log, Pattern pattern) {
    synchronized (log) {
      for (String line : log) {
        Matcher m = pattern.matcher(line);
        if (m.find()) {
          return m.group(1);
        }
      }
      throw new AssertionError("the demo printed no line matching " + pattern);
    }
  }

  /** Polls the page until everything asserted is there, or the deadline passes. */
  private static JsonObject awaitPage(HeadlessChromium browser) throws Exception {
    long deadline = System.nanoTime() + PAGE_DEADLINE.toNanos();
    JsonObject page;
    do {
      Thread.sleep(2000);
      page = browser.run(PROBE).getAsJsonObject();
      boolean ready =
          page.get("attackLoaded").getAsInt() >= 3
              && page.get("perturbationLoaded").getAsInt() > 0
              && page.get("hitsLoaded").getAsInt() >= 10
              && page.get("alerts").getAsInt() >= 1;
      if (ready) {
        return page;
      }
    } while (System.nanoTime() < deadline);
    return page;
  }

  /** {@code advrank demo} in a child JVM, so that it gets its own environment. */
  private static Process startDemo() throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command =
        List.of(
            java,
            "-Xmx1500m",
            "-Dai.djl.offline=true",
            "-Dai.djl.pytorch.num_threads=1",
            "-Dai.djl.pytorch.num_interop_threads=1",
            "-cp",
            classpath,
            AdvrankCli.class.getName(),
            "demo",
            "--model",
            Path.of("../../models/fmnist-c2f1").toString(),
            "--data",
            CliRun.FIXTURE.toString(),
            "--duration",
            "300s",
            "--catalog-limit",
            "300",
            "--query-rate",
            "10",
            "--interval",
            "10",
            "--no-defense-trainer",
            "--metrics-port",
            "0",
            "--monitor-port",
            "0",
            "--console-port",
            "0");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment()
        .putAll(
            Map.of(
                "DJL_OFFLINE", "true",
                "OPT_OUT_TRACKING", "true",
                "ADVRANK_CALIBRATION_EVENTS", "100",
                "ADVRANK_CALIBRATION_WINDOWS", "2",
                "ADVRANK_WINDOW_SIZE", "10s"));
    return pb.start();
  }

  /** Reads the demo's output (kept in {@code log}) until it prints the console's URL. */
  private static String awaitUrl(Process demo, List<String> log) throws Exception {
    CompletableFuture<String> url = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                  synchronized (log) {
                    log.add(line);
                  }
                  Matcher m = URL.matcher(line);
                  if (m.find()) {
                    url.complete(m.group(1));
                  }
                }
              } catch (IOException e) {
                url.completeExceptionally(e);
              }
              url.completeExceptionally(new IllegalStateException("demo ended without a URL"));
            },
            "demo-output");
    reader.setDaemon(true);
    reader.start();
    try {
      return url.get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      synchronized (log) {
        throw new AssertionError("no console URL from the demo:\n" + String.join("\n", log), e);
      }
    }
  }
}
