package io.advrank.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import io.advrank.cli.cluster.ProcessSpec.Role;
import io.advrank.cli.cluster.PrometheusTargets.Target;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scrape check of {@code cluster up} against a real Prometheus (Debian's {@code prometheus};
 * skipped where it is not installed): the configuration {@link PrometheusConfig} writes is
 * accepted, a service that serves {@code /metrics} is reported up, and one that does not is
 * reported down, so the check fails.
 */
class PrometheusScrapeIT {
  @TempDir Path dir;

  @Test
  void reportsAServedTargetUpAndASilentOneDown() throws Exception {
    Optional<Path> binary = LocalCluster.onPath("prometheus");
    assumeTrue(binary.isPresent(), "prometheus not installed (apt-get install prometheus)");
    HttpServer metrics = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    metrics.createContext(
        "/metrics",
        x -> {
          byte[] body = "advrank_up 1\n".getBytes(StandardCharsets.UTF_8);
          x.sendResponseHeaders(200, body.length);
          x.getResponseBody().write(body);
          x.close();
        });
    metrics.start();
    int silent = freePort();
    int port = freePort();
    List<ProcessSpec> services =
        List.of(
            service("ranker-0", "ranker", metrics.getAddress().getPort()),
            service("producer-0", "producer", silent));
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, PrometheusConfig.of(services, Optional.empty()));
    Process prometheus =
        new ProcessBuilder(
                binary.get().toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("prometheus.log").toFile())
            .start();
    try {
      List<Target> targets = PrometheusTargets.await(port, 2, Duration.ofSeconds(20));
      assertEquals(2, targets.size(), targets.toString());
      Target producer = targets.get(0);
      Target ranker = targets.get(1);
      assertEquals("advrank-producer", producer.job());
      assertEquals("down", producer.health(), "nothing listens on " + silent);
      assertTrue(producer.lastError().contains("connection refused"), producer.lastError());
      assertEquals("advrank-ranker", ranker.job());
      assertEquals("up", ranker.health(), ranker.lastError());
      assertFalse(PrometheusTargets.allUp(targets, 2));
      assertTrue(
          PrometheusTargets.table(targets, 2)
              .contains("Prometheus: 1 of 2 services scraped  (NOT ALL SCRAPED)"));
    } finally {
      prometheus.destroy();
      prometheus.waitFor(10, TimeUnit.SECONDS);
      metrics.stop(0);
    }
  }

  private static ProcessSpec service(String name, String kind, int port) {
    return ProcessSpec.advrank(name, Role.SERVICE, port, List.of("serve", kind));
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
