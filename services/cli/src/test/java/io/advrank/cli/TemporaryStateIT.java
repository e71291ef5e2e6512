package io.advrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands stopped by SIGTERM (what Ctrl-C and {@code kill} send) leave nothing in the temporary
 * directory: each runs as a child JVM, as {@code ./advrank} runs it, with a {@code java.io.tmpdir}
 * of its own, which must be empty once it has exited. (Each run left a broker's data directory
 * behind, and the demo its monitor state, keys and broker, up to 0.5 GB a run.)
 */
class TemporaryStateIT {
  private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
  private static final Path JAR = Path.of("target/advrank.jar").toAbsolutePath();

  @TempDir Path tmpdir; // the child's java.io.tmpdir
  @TempDir Path logs; // its output, outside tmpdir

  @Test
  void brokerDeletesItsDataOnSigterm() throws Exception {
    Process p = start("broker", "--port", Integer.toString(freePort()));
    String out = stopAfter(p, "Ctrl-C to stop.");

    assertEquals(List.of(), left(), out);
  }

  @Test
  void demoPrintsItsReportAndDeletesItsStateOnSigterm() throws Exception {
    Process p =
        start(
            "demo",
            "--data",
            CliRun.FIXTURE.toAbsolutePath().toString(),
            "--catalog-limit",
            "40",
            "--query-rate",
            "5",
            "--no-defense-trainer",
            "--metrics-port",
            "0",
            "--monitor-port",
            "0",
            "--console-port",
            "-1");
    String out = stopAfter(p, "pipeline up");

    assertTrue(out.contains("demo: finished after"), "the report, also on SIGTERM:\n" + out);
    assertEquals(List.of(), left(), out);
  }

  private Process start(String... args) throws IOException {
    List<String> argv = new ArrayList<>();
    argv.add(ProcessHandle.current().info().command().orElse("java"));
    argv.add("-Djava.io.tmpdir=" + tmpdir);
    argv.add("-Dorg.slf4j.simpleLogger.logFile=" + logs.resolve("log")); // not in tmpdir
    // As the launcher runs it: offline, one libtorch thread per pool.
    argv.addAll(
        List.of(
            "-Xmx1500m",
            "-Dai.djl.offline=true",
            "-Dai.djl.pytorch.num_threads=1",
            "-Dai.djl.pytorch.num_interop_threads=1"));
    argv.addAll(List.of("-jar", JAR.toString()));
    argv.addAll(List.of(args));
    // From the repository root, as ./advrank runs: the default model is models/fmnist-c2f1.
    ProcessBuilder pb = new ProcessBuilder(argv).directory(ROOT.toFile()).redirectErrorStream(true);
    pb.redirectOutput(logs.resolve("out").toFile());
    pb.environment().put("DJL_OFFLINE", "true");
    return pb.start();
  }

  /** Waits for {@code ready} in the output, sends SIGTERM, waits for the exit; the output. */
  private String stopAfter(Process p, String ready) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    try {
      while (!output().contains(ready)) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          fail("no '" + ready + "' (alive: " + p.isAlive() + "):\n" + output());
        }
        Thread.sleep(200);
      }
      Thread.sleep(2_000); // running, writing its state
      assertTrue(Files.list(tmpdir).findAny().isPresent(), "it uses the temporary directory");
      p.destroy(); // SIGTERM
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "stopped within 120 s:\n" + output());
    } finally {
      p.destroyForcibly();
    }
    return output();
  }

  private String output() throws IOException {
    Path out = logs.resolve("out");
    return Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
  }

  private List<String> left() throws IOException {
    try (Stream<Path> files = Files.list(tmpdir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
