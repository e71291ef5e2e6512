package io.advrank.monitor;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.advrank.proto.v1.AnomalyAlert;
import io.advrank.proto.v1.ItemDrift;
import io.advrank.runtime.http.HttpAccess;
import io.advrank.runtime.http.QueryString;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Interactive queries over HTTP (JSON):
 *
 * <ul>
 *   <li>{@code GET /drift?item=ID}: the item's rank drift (404 when this instance has none);
 *   <li>{@code GET /drift}: the 20 items with the largest last drift score;
 *   <li>{@code GET /alerts[?limit=N]}: the newest alerts (default 50).
 * </ul>
 *
 * Answers come from this instance's state stores; with several monitor instances each answers for
 * the partitions it owns. Bound to {@link HttpAccess}'s address (loopback by default); with a token
 * set every request needs {@code Authorization: Bearer <token>}, else 401.
 */
public final class MonitorQueries implements AutoCloseable {
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

  private final HttpServer server;
  private final ExecutorService executor;

  private MonitorQueries(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** Serves on the loopback interface, {@code port} (0 = any free port), without a token. */
  public static MonitorQueries start(int port, MonitorService monitor) throws IOException {
    return start(HttpAccess.LOCAL, port, monitor);
  }

  /** Serves on {@code access}'s address and {@code port}, requiring its token if set. */
  public static MonitorQueries start(HttpAccess access, int port, MonitorService monitor)
      throws IOException {
    access.warnIfOpen("the monitor's interactive queries");
    HttpServer server = HttpServer.create(access.address(port), 0);
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "advrank-monitor-queries");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext(
        "/drift",
        ex -> {
          if (access.authorize(ex)) {
            answer(ex, () -> drift(monitor, QueryString.parameters(ex)));
          }
        });
    server.createContext(
        "/alerts",
        ex -> {
          if (access.authorize(ex)) {
            answer(ex, () -> alerts(monitor, QueryString.parameters(ex)));
          }
        });
    server.start();
    return new MonitorQueries(server, executor);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private interface Answer {
    Object get() throws NotFound;
  }

  private static final class NotFound extends Exception {
    private static final long serialVersionUID = 1L;

    NotFound(String message) {
      super(message);
    }
  }

  private static Object drift(MonitorService monitor, Map<String, String> query) throws NotFound {
    String item = query.get("item");
    if (item == null) {
      return monitor.topDrift(20).stream().map(MonitorQueries::json).toList();
    }
    return json(monitor.drift(item).orElseThrow(() -> new NotFound("no drift state for " + item)));
  }

  private static Object alerts(MonitorService monitor, Map<String, String> query) {
    int limit;
    try {
      limit = Integer.parseInt(query.getOrDefault("limit", "50"));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("limit: not a number: " + query.get("limit"));
    }
    if (limit < 1 || limit > 1000) {
      throw new IllegalArgumentException("limit: must be 1..1000, got " + limit);
    }
    List<AnomalyAlert> alerts = monitor.recentAlerts(limit);
    return alerts.stream().map(MonitorQueries::json).toList();
  }

  private static Map<String, Object> json(ItemDrift d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("item", d.getItemId());
    m.put("drift_score", d.getLastScore());
    m.put("last_window_start_ms", d.getLastWindowStartMs());
    m.put("last_sightings", d.getLastSightings());
    m.put("baseline_mean", d.getBaselineMean());
    m.put("baseline_variance", d.getBaselineVariance());
    m.put("baseline_windows", d.getWindows());
    m.put("open_window_start_ms", d.getWindowStartMs());
    m.put("open_window_sightings", d.getSightings());
    m.put("model_version", d.getModelVersion());
    return m;
  }

  private static Map<String, Object> json(AnomalyAlert a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("alert_id", a.getAlertId());
    m.put("subject_kind", a.getSubjectKind().name());
    m.put("subject_id", a.getSubjectId());
    m.put("signal", a.getSignal());
    m.put("value", a.getValue());
    m.put("threshold", a.getThreshold());
    m.put("window_start_ms", a.getWindowStartMs());
    m.put("window_end_ms", a.getWindowEndMs());
    m.put("model_version", a.getModelVersion());
    m.put("evidence", a.getEvidenceMap());
    m.put("raised_at_ms", a.getRaisedAtMs());
    return m;
  }

  private static void answer(HttpExchange ex, Answer answer) throws IOException {
    int status;
    Object body;
    try {
      body = answer.get();
      status = 200;
    } catch (NotFound e) {
      status = 404;
      body = Map.of("error", e.getMessage());
    } catch (IllegalArgumentException e) {
      status = 400;
      body = Map.of("error", e.getMessage());
    } catch (RuntimeException e) {
      status = 503; // stores not queryable during a rebalance or restore
      body = Map.of("error", String.valueOf(e.getMessage()));
    }
    byte[] bytes = (GSON.toJson(body) + "\n").getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
