package io.advrank.runtime.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Serves over real HTTP on an ephemeral port. */
class MetricsServerTest {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicReference<Health> health = new AtomicReference<>(Health.up());
  private final HttpClient http = HttpClient.newHttpClient();
  private MetricsServer server;

  @BeforeEach
  void start() throws Exception {
    server = MetricsServer.start(0, registry, health::get);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + server.port() + path);
    return http.send(
        HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesPrometheusText() throws Exception {
    Counter.builder("advrank.test.events").tag("kind", "query").register(registry).increment(3);

    HttpResponse<String> response = get("/metrics");

    assertEquals(200, response.statusCode());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    assertTrue(
        response.body().contains("advrank_test_events_total{kind=\"query\"} 3.0"), response.body());
  }

  @Test
  void healthIs200WhenUpAnd503WhenDown() throws Exception {
    health.set(new Health(true, Map.of("model", "v3")));
    HttpResponse<String> up = get("/health");
    health.set(Health.down("broker \"unreachable\""));
    HttpResponse<String> down = get("/health");

    assertEquals(200, up.statusCode());
    assertEquals("{\"status\":\"UP\",\"details\":{\"model\":\"v3\"}}", up.body());
    assertEquals("application/json", up.headers().firstValue("Content-Type").orElseThrow());
    assertEquals(503, down.statusCode());
    assertEquals(
        "{\"status\":\"DOWN\",\"details\":{\"reason\":\"broker \\\"unreachable\\\"\"}}",
        down.body());
  }

  @Test
  void failingHealthCheckIsDown() throws Exception {
    server.close();
    server =
        MetricsServer.start(
            0,
            registry,
            () -> {
              throw new IllegalStateException("no model loaded");
            });

    HttpResponse<String> response = get("/health");

    assertEquals(503, response.statusCode());
    assertTrue(response.body().contains("no model loaded"), response.body());
  }

  @Test
  void unknownPathIs404AndPostIs405() throws Exception {
    URI metrics = URI.create("http://127.0.0.1:" + server.port() + "/metrics");
    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(metrics).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());

    assertEquals(404, get("/nope").statusCode());
    assertEquals(405, post.statusCode());
  }
}
