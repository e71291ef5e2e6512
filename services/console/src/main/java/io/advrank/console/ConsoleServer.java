package io.advrank.console;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.advrank.proto.v1.AdversarialVariant;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.runtime.http.QueryString;
import io.advrank.runtime.settings.SettingsException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The page and its data over the JDK's HTTP server:
 *
 * <ul>
 *   <li>{@code GET /}: the page ({@code web/index.html}, {@code console.js}, {@code console.css};
 *       plain files, nothing from the internet);
 *   <li>{@code GET /api/state}: the {@link ConsoleView} snapshot as JSON;
 *   <li>{@code GET /api/drift}: the monitor's most drifting items ({@code /drift} of its
 *       interactive queries), passed through;
 *   <li>{@code GET /img/attack/{original,adversarial,perturbation}?event=ID}, {@code
 *       /img/item?id=ID}, {@code /img/query?id=ID[&delivered=true]}: images as PNG.
 * </ul>
 */
final class ConsoleServer implements AutoCloseable {
  private static final Gson GSON = new GsonBuilder().serializeNulls().create();
  private static final Map<String, String> STATIC =
      Map.of(
          "/", "index.html",
          "/index.html", "index.html",
          "/console.js", "console.js",
          "/console.css", "console.css");

  private final HttpServer server;
  private final ExecutorService executor;
  private final ConsoleView view;
  private final String monitorUrl;
  private final Optional<String> token;
  private final TokenGate gate;
  private final Clock clock;
  private final Supplier<Optional<Throwable>> feedFailure;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  ConsoleServer(
      ConsoleSettings settings,
      ConsoleView view,
      Clock clock,
      Supplier<Optional<Throwable>> feedFailure)
      throws IOException {
    this.view = view;
    this.monitorUrl = settings.monitorUrl();
    this.token = settings.token();
    this.gate = new TokenGate(settings.token());
    this.clock = clock;
    this.feedFailure = feedFailure;
    try {
      this.server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 0);
    } catch (java.net.BindException e) {
      throw new SettingsException(
          "%s %d on %s: cannot serve there (%s); choose a free port or 0"
              .formatted(
                  ConsoleSettings.PORT.key(), settings.port(), settings.host(), e.getMessage()));
    }
    this.executor =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "advrank-console-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  void start() {
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      if (!gate.admit(ex)) {
        return;
      }
      if (!"GET".equals(ex.getRequestMethod())) {
        send(ex, 405, "text/plain", "only GET".getBytes(StandardCharsets.UTF_8));
      } else if (STATIC.containsKey(path)) {
        sendResource(ex, STATIC.get(path));
      } else if (path.equals("/api/state")) {
        Map<String, Object> state = view.snapshot(clock.millis());
        state.put("feed_failure", feedFailure.get().map(Throwable::toString).orElse(null));
        state.put("monitor_url", monitorUrl);
        json(ex, 200, state);
      } else if (path.equals("/api/drift")) {
        drift(ex);
      } else if (path.startsWith("/img/")) {
        image(ex, path, QueryString.parameters(ex));
      } else {
        send(ex, 404, "text/plain", ("no page " + path).getBytes(StandardCharsets.UTF_8));
      }
    } catch (RuntimeException e) {
      // One bad request must not take the server down; the page shows the message.
      send(ex, 500, "text/plain", String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8));
    }
  }

  private void image(HttpExchange ex, String path, Map<String, String> q) throws IOException {
    Optional<byte[]> png =
        switch (path) {
          case "/img/attack/original" ->
              attack(q).flatMap(view::original).map(e -> Thumbnails.png(e.getPixels()));
          case "/img/attack/adversarial" -> attack(q).map(v -> Thumbnails.png(v.getPerturbed()));
          case "/img/attack/perturbation" ->
              attack(q)
                  .flatMap(
                      v ->
                          view.original(v)
                              .map(
                                  o ->
                                      Thumbnails.perturbation(
                                          o.getPixels(),
                                          v.getPerturbed(),
                                          v.getSpec().getEpsilon())));
          case "/img/item" -> view.item(q.getOrDefault("id", "")).map(ConsoleServer::png);
          case "/img/query" ->
              view.query(q.getOrDefault("id", ""), "true".equals(q.get("delivered")))
                  .map(ConsoleServer::png);
          default -> Optional.empty();
        };
    if (png.isEmpty()) {
      send(ex, 404, "text/plain", "no such image (or forgotten)".getBytes(StandardCharsets.UTF_8));
      return;
    }
    ex.getResponseHeaders().set("Cache-Control", "max-age=30");
    send(ex, 200, "image/png", png.get());
  }

  private Optional<AdversarialVariant> attack(Map<String, String> q) {
    return view.attack(q.getOrDefault("event", ""));
  }

  private static byte[] png(ImageEvent e) {
    return Thumbnails.png(e.getPixels());
  }

  /** The monitor's {@code /drift}, or a JSON error saying why it is not there. */
  private void drift(HttpExchange ex) throws IOException {
    if (monitorUrl.isEmpty()) {
      json(
          ex,
          200,
          Map.of("error", "no monitor URL set (" + ConsoleSettings.MONITOR_URL.key() + ")"));
      return;
    }
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(monitorUrl + "/drift")).timeout(Duration.ofSeconds(3));
      // One http.token guards both the monitor's queries and the console.
      token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
      HttpResponse<byte[]> r = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        json(ex, 200, Map.of("error", "monitor answered HTTP " + r.statusCode()));
        return;
      }
      send(ex, 200, "application/json", r.body());
    } catch (IOException e) {
      json(ex, 200, Map.of("error", "monitor at " + monitorUrl + " unreachable: " + e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      json(ex, 200, Map.of("error", "interrupted"));
    }
  }

  private void sendResource(HttpExchange ex, String name) throws IOException {
    try (InputStream in = ConsoleServer.class.getResourceAsStream("web/" + name)) {
      if (in == null) {
        throw new IllegalStateException("resource web/" + name + " missing from the jar");
      }
      String type =
          name.endsWith(".html")
              ? "text/html; charset=utf-8"
              : name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
      send(ex, 200, type, in.readAllBytes());
    }
  }

  private static void json(HttpExchange ex, int status, Object body) throws IOException {
    send(ex, status, "application/json", GSON.toJson(body).getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange ex, int status, String type, byte[] body)
      throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
