package io.advrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.advrank.embedded.EmbeddedKafka;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The {@code serve} commands exactly as the README and {@code serve --help} print them, run by the
 * {@code ./advrank} launcher as separate processes against a real broker: each must come up (its
 * {@code /health} says UP) and stop cleanly on SIGTERM. Only the broker address is replaced.
 * (Picocli once refused {@code --bootstrap-servers} here as an unknown option of {@code serve}.)
 */
class ServeCommandIT {
  private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
  private static final Pattern SERVE = Pattern.compile("(?m)^\\s*(?:\\./)?advrank (serve \\S+.*)$");
  private static final Map<String, Integer> HEALTH_PORTS =
      Map.of(
          "producer", 9410,
          "ranker", 9411,
          "attack-worker", 9412,
          "monitor", 9413,
          "defense-trainer", 9414,
          "console", 9415);

  @Test
  void theDocumentedServeCommandsStartEveryServiceAndStopCleanly() throws Exception {
    Set<String> commands =
        new LinkedHashSet<>(documented(Files.readString(ROOT.resolve("README.md"))));
    List<String> fromHelp = documented(CliRun.of("serve", "--help").out());
    assertFalse(fromHelp.isEmpty(), "serve --help shows an example");
    commands.addAll(fromHelp);
    Set<String> services = new LinkedHashSet<>();
    commands.forEach(c -> services.add(c.split("\\s+")[1]));
    assertEquals(Set.copyOf(ServeCommand.SERVICES), services, "the README shows every service");

    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      for (String command : commands) {
        // The README names its broker's cluster id as the attack-worker's staging cluster.
        runUntilHealthy(
            command
                .replace("localhost:9092", kafka.bootstrapServers())
                .replace("AdvrankLocalStaging00A", kafka.clusterId()));
      }
    }
  }

  private static List<String> documented(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = SERVE.matcher(text);
    while (m.find()) {
      out.add(m.group(1).trim());
    }
    return out;
  }

  private static void runUntilHealthy(String command) throws Exception {
    List<String> argv = new ArrayList<>(List.of("./advrank"));
    argv.addAll(List.of(command.split("\\s+")));
    String service = argv.get(2);
    Path log = Files.createTempFile("advrank-serve-", ".log");
    ProcessBuilder pb = new ProcessBuilder(argv).directory(ROOT.toFile()).redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    // The jar was packaged before the integration tests; the launcher must not rebuild it.
    pb.environment().put("ADVRANK_SKIP_BUILD", "1");
    if (service.equals("producer")
        && !Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist"))) {
      // No Debian dataset on this machine: the committed fixture, through the environment, so
      // the command line stays the documented one.
      pb.environment().put("ADVRANK_DATA_DIR", CliRun.FIXTURE.toAbsolutePath().toString());
    }
    Process p = pb.start();
    try {
      awaitHealthy(p, HEALTH_PORTS.get(service), command, log);
    } finally {
      p.destroy();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail(command + ": did not stop within 60 s of SIGTERM\n" + Files.readString(log));
      }
    }
    String out = Files.readString(log);
    assertFalse(out.contains("Unknown option"), command + "\n" + out);
  }

  private static void awaitHealthy(Process p, int port, String command, Path log)
      throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest health =
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/health"))
            .timeout(Duration.ofSeconds(2))
            .build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        fail(command + ": exited with " + p.exitValue() + "\n" + Files.readString(log));
      }
      try {
        HttpResponse<String> r = http.send(health, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200 && r.body().contains("UP")) {
          assertTrue(p.isAlive());
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    fail(command + ": /health on :" + port + " not UP within 120 s\n" + Files.readString(log));
  }
}
