package io.advrank.cli.cluster;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What a Prometheus says about its scrape targets, read from its HTTP API ({@code
 * /api/v1/targets?state=active}): each target's job, address and health ({@code up}, {@code down}
 * or {@code unknown} before its first scrape) with the last scrape's error. {@code cluster up}
 * waits until every service is scraped; {@code cluster status} prints the table.
 */
final class PrometheusTargets {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** One scrape target. */
  record Target(String job, String instance, String health, String lastError) {
    boolean up() {
      return health.equals("up");
    }
  }

  private PrometheusTargets() {}

  /** The active targets of the Prometheus on {@code port}, by job and instance. */
  static List<Target> of(int port) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/api/v1/targets?state=active"))
            .timeout(Duration.ofSeconds(5))
            .build();
    HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("Prometheus on :" + port + " answered HTTP " + r.statusCode());
    }
    return parse(r.body());
  }

  /** Parses the API's answer; an answer without {@code status: success} is an error. */
  static List<Target> parse(String json) throws IOException {
    JsonObject root = JsonParser.parseString(json).getAsJsonObject();
    if (!"success".equals(root.get("status").getAsString())) {
      throw new IOException("Prometheus answered " + json);
    }
    List<Target> out = new ArrayList<>();
    for (JsonElement e : root.getAsJsonObject("data").getAsJsonArray("activeTargets")) {
      JsonObject t = e.getAsJsonObject();
      JsonObject labels = t.getAsJsonObject("labels");
      out.add(
          new Target(
              labels.get("job").getAsString(),
              labels.get("instance").getAsString(),
              t.get("health").getAsString(),
              t.has("lastError") ? t.get("lastError").getAsString() : ""));
    }
    out.sort(Comparator.comparing(Target::job).thenComparing(Target::instance));
    return out;
  }

  /**
   * Waits until Prometheus reports {@code expected} active targets, all {@code up}; returns the
   * last answer either way (the caller judges it with {@link #allUp}).
   */
  static List<Target> await(int port, int expected, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Target> last = List.of();
    while (true) {
      try {
        last = of(port);
        if (allUp(last, expected)) {
          return last;
        }
      } catch (IOException | RuntimeException notYet) {
        // Prometheus still starting, or its answer not yet complete
      }
      if (System.nanoTime() > deadline) {
        return last;
      }
      Thread.sleep(1_000);
    }
  }

  static boolean allUp(List<Target> targets, int expected) {
    return targets.size() == expected && targets.stream().allMatch(Target::up);
  }

  /** One line per target, and a last line with the count. */
  static String table(List<Target> targets, int expected) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format("%-28s %-18s %-8s %s%n", "prometheus job", "instance", "health", "error"));
    for (Target t : targets) {
      b.append(
          String.format("%-28s %-18s %-8s %s%n", t.job(), t.instance(), t.health(), t.lastError()));
    }
    long up = targets.stream().filter(Target::up).count();
    b.append(
        String.format(
            "Prometheus: %d of %d services scraped%s%n",
            up, expected, allUp(targets, expected) ? "" : "  (NOT ALL SCRAPED)"));
    return b.toString();
  }
}
