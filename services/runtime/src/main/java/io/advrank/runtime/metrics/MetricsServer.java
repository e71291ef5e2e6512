package io.advrank.runtime.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.advrank.runtime.http.HttpAccess;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoint every service exposes: {@code GET /metrics} answers Prometheus text format from
 * the process's one registry, {@code GET /health} answers JSON such as {@code
 * {"status":"UP","details":{...}}} with 200 when the health check passes and 503 otherwise.
 *
 * <p>Built on the JDK's own HTTP server (no extra dependency); one daemon thread serves requests,
 * which is plenty for a scrape every few seconds.
 */
public final class MetricsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;

  private MetricsServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Starts serving on the loopback interface only (this machine); see {@link HttpAccess} to expose
   * it.
   *
   * @param port the TCP port, or 0 for any free port (see {@link #port()})
   * @throws IOException if the port cannot be bound
   */
  public static MetricsServer start(int port, PrometheusMeterRegistry registry, HealthCheck health)
      throws IOException {
    return start(HttpAccess.LOCAL.address(port), registry, health);
  }

  /**
   * Starts serving on {@code access}'s address ({@value HttpAccess#BIND}). The endpoints need no
   * token: Prometheus and health probes read them.
   */
  public static MetricsServer start(
      HttpAccess access, int port, PrometheusMeterRegistry registry, HealthCheck health)
      throws IOException {
    return start(access.address(port), registry, health);
  }

  /** Starts serving on {@code address}. */
  public static MetricsServer start(
      InetSocketAddress address, PrometheusMeterRegistry registry, HealthCheck health)
      throws IOException {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(health, "health");
    HttpServer server = HttpServer.create(address, 0);
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "advrank-metrics-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/metrics", ex -> serve(ex, () -> metrics(registry)));
    server.createContext("/health", ex -> serve(ex, () -> health(health)));
    server.createContext(
        "/", ex -> serve(ex, () -> new Response(404, "text/plain", "not found\n")));
    server.start();
    return new MetricsServer(server, executor);
  }

  /** The bound address and port. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** The bound port (useful after starting on port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  /** Stops serving at once; in-flight scrapes are cut off. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private record Response(int status, String contentType, String body) {}

  private interface Handler {
    Response handle();
  }

  private static void serve(HttpExchange exchange, Handler handler) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      boolean head = method.equals("HEAD");
      Response response =
          head || method.equals("GET")
              ? handler.handle()
              : new Response(405, "text/plain", "only GET and HEAD\n");
      byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", response.contentType());
      exchange.sendResponseHeaders(response.status(), head ? -1 : body.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    } catch (IOException | RuntimeException e) {
      // A client that hangs up mid-response must not kill the server thread.
      LOG.debug("metrics endpoint request failed: {}", e.toString());
    }
  }

  private static Response metrics(PrometheusMeterRegistry registry) {
    return new Response(200, PROMETHEUS_TEXT, registry.scrape());
  }

  private static Response health(HealthCheck check) {
    Health health;
    try {
      health = Objects.requireNonNull(check.check(), "health check returned null");
    } catch (RuntimeException e) {
      health = Health.down("health check failed: " + e);
    }
    return new Response(health.healthy() ? 200 : 503, "application/json", toJson(health));
  }

  static String toJson(Health health) {
    StringBuilder json = new StringBuilder("{\"status\":\"");
    json.append(health.healthy() ? "UP" : "DOWN").append("\",\"details\":{");
    String separator = "";
    for (Map.Entry<String, String> e : new TreeMap<>(health.details()).entrySet()) {
      json.append(separator).append(quote(e.getKey())).append(':').append(quote(e.getValue()));
      separator = ",";
    }
    return json.append("}}").toString();
  }

  private static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : String.valueOf(s).toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
