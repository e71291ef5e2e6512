package io.advrank.cli;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A real headless Chromium driven through {@code chromedriver} with the W3C WebDriver protocol
 * (plain JSON over HTTP, the JDK's client: no Selenium dependency). Tests use it to load a page,
 * run a script in it and take a screenshot.
 */
final class HeadlessChromium implements AutoCloseable {
  private static final Gson GSON = new Gson();

  /** Debian's browser binary (the /usr/bin/chromium wrapper script also works). */
  private static final List<Path> BROWSERS =
      List.of(Path.of("/usr/lib/chromium/chromium"), Path.of("/usr/bin/chromium"));

  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  private final Process driver;
  private final String base;
  private final HttpClient http = HttpClient.newHttpClient();
  private final String session;

  private HeadlessChromium(Process driver, String base, Path browser) throws Exception {
    this.driver = driver;
    this.base = base;
    awaitReady();
    Map<String, Object> options =
        Map.of(
            "binary",
            browser.toString(),
            "args",
            List.of(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
                "--window-size=1400,1800"));
    JsonObject created =
        call(
            "POST",
            "/session",
            Map.of(
                "capabilities",
                Map.of(
                    "alwaysMatch",
                    Map.of("browserName", "chrome", "goog:chromeOptions", options))));
    this.session = created.getAsJsonObject("value").get("sessionId").getAsString();
  }

  /** Why no browser can be started here, or empty when Chromium and chromedriver are installed. */
  static Optional<String> missing() {
    if (BROWSERS.stream().noneMatch(Files::isExecutable)) {
      return Optional.of("no Chromium at " + BROWSERS + " (Debian package chromium)");
    }
    if (!Files.isExecutable(DRIVER)) {
      return Optional.of("no chromedriver at " + DRIVER + " (Debian package chromium-driver)");
    }
    return Optional.empty();
  }

  /** Starts chromedriver on a free port and opens a headless browser session. */
  static HeadlessChromium start() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Process driver =
        new ProcessBuilder(DRIVER.toString(), "--port=" + port)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    Path browser = BROWSERS.stream().filter(Files::isExecutable).findFirst().orElseThrow();
    try {
      return new HeadlessChromium(driver, "http://127.0.0.1:" + port, browser);
    } catch (Exception | Error e) {
      driver.destroy();
      throw e;
    }
  }

  void open(String url) throws IOException, InterruptedException {
    call("POST", "/session/" + session + "/url", Map.of("url", url));
  }

  /** Runs {@code script} (a function body; {@code return} gives the result) in the page. */
  JsonElement run(String script) throws IOException, InterruptedException {
    return call(
            "POST",
            "/session/" + session + "/execute/sync",
            Map.of("script", script, "args", List.of()))
        .get("value");
  }

  /** A PNG screenshot of the viewport. */
  byte[] screenshot() throws IOException, InterruptedException {
    String b64 =
        call("GET", "/session/" + session + "/screenshot", null).get("value").getAsString();
    return Base64.getDecoder().decode(b64);
  }

  private void awaitReady() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      try {
        JsonObject status = call("GET", "/status", null);
        if (status.getAsJsonObject("value").get("ready").getAsBoolean()) {
          return;
        }
      } catch (IOException notYet) {
        // chromedriver is still starting
      }
      if (System.nanoTime() > deadline || !driver.isAlive()) {
        throw new IllegalStateException("chromedriver did not become ready at " + base);
      }
      Thread.sleep(100);
    }
  }

  private JsonObject call(String method, String path, Object body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    request =
        body == null
            ? request.method(method, HttpRequest.BodyPublishers.noBody())
            : request
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(GSON.toJson(body)));
    HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    JsonObject json = JsonParser.parseString(r.body()).getAsJsonObject();
    if (r.statusCode() != 200) {
      throw new IOException(
          "WebDriver " + method + " " + path + ": HTTP " + r.statusCode() + " " + json);
    }
    return json;
  }

  @Override
  public void close() {
    try {
      call("DELETE", "/session/" + session, null);
    } catch (IOException | InterruptedException | RuntimeException e) {
      // the driver is stopped next in any case
    } finally {
      driver.destroy();
    }
  }
}
