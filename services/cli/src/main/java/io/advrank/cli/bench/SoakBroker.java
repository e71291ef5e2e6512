package io.advrank.cli.bench;

import io.advrank.core.model.NativeHeap;
import io.advrank.embedded.EmbeddedKafka;
import io.advrank.runtime.settings.KafkaSecurity;
import io.advrank.runtime.settings.SettingsSource;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The soak's Kafka broker: by default in a child process ({@code advrank broker} on a free port,
 * its own JVM with {@code -Xmx512m}), so that the soak's samples of this process measure advrank's
 * services and not the broker: a broker keeps per-request-type latency histograms (Yammer
 * reservoirs of up to 1028 samples each, about 770 of them, filling over the first hour at the
 * demo's request rate) and its own buffers, which grow toward their caps for far longer than a soak
 * runs. In production the broker is a separate process too. Its RSS is reported as context, not
 * judged. With {@code --in-process-broker} it is an {@link EmbeddedKafka} in the soak's own
 * process, as in {@code advrank demo}, and measured with everything else.
 */
final class SoakBroker implements AutoCloseable {
  private static final Pattern READY =
      Pattern.compile("Kafka ready at (\\S+) in \\d+ ms.*cluster id ([A-Za-z0-9_-]+)");

  private final Process process; // null in process
  private final EmbeddedKafka embedded; // null in a child process
  private final Path log;
  private final String bootstrapServers;
  private final String clusterId;
  private final Thread stopOnExit;

  private SoakBroker(
      Process process,
      EmbeddedKafka embedded,
      Path log,
      String bootstrapServers,
      String clusterId) {
    this.process = process;
    this.embedded = embedded;
    this.log = log;
    this.bootstrapServers = bootstrapServers;
    this.clusterId = clusterId;
    // Ctrl-C on the soak must not leave the broker running.
    this.stopOnExit = process == null ? null : new Thread(process::destroy, "soak-broker-stop");
    if (stopOnExit != null) {
      Runtime.getRuntime().addShutdownHook(stopOnExit);
    }
  }

  /** An embedded broker in this process, measured with the services. */
  static SoakBroker inProcess() {
    EmbeddedKafka kafka = EmbeddedKafka.start();
    return new SoakBroker(null, kafka, null, kafka.bootstrapServers(), kafka.clusterId());
  }

  /**
   * Starts {@code advrank broker} and waits until it has created advrank's topics.
   *
   * @throws IllegalStateException if it exits or is not ready within {@code timeout}
   */
  static SoakBroker childProcess(Duration timeout) throws IOException, InterruptedException {
    Path log = Files.createTempFile("advrank-soak-broker-", ".log");
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("-D")) {
        cmd.add(arg); // offline DJL, log levels
      }
    }
    cmd.addAll(
        List.of(
            "-Xmx512m",
            "-cp",
            System.getProperty("java.class.path"),
            "io.advrank.cli.AdvrankCli",
            "broker",
            "--port",
            Integer.toString(freePort())));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    // The soak's broker listens in plain text: Kafka security settings of the shell are not its.
    KafkaSecurity.KEYS.forEach(k -> pb.environment().remove(SettingsSource.envName(k)));
    Process p = pb.start();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = READY.matcher(Files.readString(log, StandardCharsets.UTF_8));
      if (m.find()) {
        return new SoakBroker(p, null, log, m.group(1), m.group(2));
      }
      if (p.waitFor(200, TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            "the soak's broker exited with code " + p.exitValue() + " before it was ready: " + log);
      }
    }
    p.destroyForcibly();
    throw new IllegalStateException(
        "the soak's broker was not ready within " + timeout.toSeconds() + " s: " + log);
  }

  String bootstrapServers() {
    return bootstrapServers;
  }

  String clusterId() {
    return clusterId;
  }

  /** The child's output, or null in process. */
  Path log() {
    return log;
  }

  /** The child broker's RSS in bytes, from {@code /proc/<pid>/status}; −1 in process or unknown. */
  long rssBytes() {
    return process == null
        ? -1
        : NativeHeap.rssBytes(Path.of("/proc", Long.toString(process.pid()), "status"));
  }

  @Override
  public void close() throws InterruptedException {
    if (embedded != null) {
      embedded.close();
      return;
    }
    process.destroy(); // SIGTERM: the broker stops cleanly and deletes its temporary data
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
