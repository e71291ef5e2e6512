package io.advrank.cli.cluster;

import io.advrank.cli.cluster.ClusterProcesses.Entry;
import io.advrank.cli.cluster.ProcessSpec.Role;
import io.advrank.runtime.topic.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.common.Uuid;

/**
 * A cluster on this machine, each part its own process: KRaft brokers, advrank's topics replicated
 * on them, every service, and Prometheus when it is installed. {@link #up} starts it and returns
 * once every service reports healthy; the processes outlive this JVM and are found again through
 * the cluster directory ({@link ClusterProcesses}).
 */
final class LocalCluster {
  static final String PROPERTIES = "cluster.properties";
  private static final Duration BROKERS_UP = Duration.ofSeconds(300);
  private static final Duration SERVICES_UP = Duration.ofSeconds(300);
  private static final Duration PROMETHEUS_UP = Duration.ofSeconds(90);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private LocalCluster() {}

  /** Starts everything in {@code plan}; refuses if the directory's cluster is still running. */
  static ClusterProcesses up(ClusterPlan plan, int prometheusPort, PrintStream out)
      throws Exception {
    return up(plan, prometheusPort, out, () -> {});
  }

  /**
   * As {@link #up(ClusterPlan, int, PrintStream)}; {@code beforeProducer} runs as traffic starts.
   */
  static ClusterProcesses up(
      ClusterPlan plan, int prometheusPort, PrintStream out, Runnable beforeProducer)
      throws Exception {
    ClusterProcesses processes = ClusterProcesses.in(plan.dir());
    List<String> running = new ArrayList<>();
    for (Entry e : processes.entries()) {
      processes.live(e).ifPresent(h -> running.add(e.spec().name()));
    }
    if (!running.isEmpty()) {
      throw new IllegalArgumentException(
          "a cluster is running in "
              + plan.dir()
              + " ("
              + String.join(", ", running)
              + "); run `advrank cluster down --dir "
              + plan.dir()
              + "` first");
    }
    processes.clear();
    String clusterId = previousClusterId(plan.dir()).orElse(Uuid.randomUuid().toString());
    Properties props = new Properties();
    props.setProperty("bootstrap.servers", plan.bootstrapServers());
    props.setProperty("cluster.id", clusterId);
    Files.createDirectories(plan.dir());
    try (var w = Files.newBufferedWriter(plan.dir().resolve(PROPERTIES))) {
      props.store(w, "advrank local cluster");
    }
    long t0 = System.nanoTime();
    for (ProcessSpec broker : plan.brokerSpecs(clusterId)) {
      processes.start(broker);
    }
    try (ClusterInspector inspector = new ClusterInspector(plan.bootstrapServers())) {
      awaitBrokers(inspector, plan.brokers(), processes);
      Topics.createAll(inspector.admin(), plan.replicationFactor(), Duration.ofSeconds(60));
    }
    out.printf(
        "%d brokers up, topics replicated %d times, in %.1f s%n",
        plan.brokers(), plan.replicationFactor(), seconds(t0));
    // Consumers first and healthy before the producer sends its first event, so that traffic
    // (and a chaos run's clock) starts on a pipeline that is up.
    List<ProcessSpec> services = plan.serviceSpecs(clusterId);
    List<ProcessSpec> consumers =
        services.stream().filter(s -> !s.kind().equals("producer")).toList();
    for (ProcessSpec service : consumers) {
      processes.start(service);
    }
    for (ProcessSpec service : consumers) {
      awaitHealthy(processes, service.name(), SERVICES_UP);
    }
    // Prometheus before traffic, so that waiting for its first scrapes does not push a chaos
    // run's faults back (it did by 20 s when Prometheus started after the producer).
    boolean scraping =
        prometheusPort > 0 && startPrometheus(plan, services, prometheusPort, processes, out);
    for (ProcessSpec service : services) {
      if (service.kind().equals("producer")) {
        beforeProducer.run();
        processes.start(service);
        awaitHealthy(processes, service.name(), SERVICES_UP);
      }
    }
    out.printf("%d services healthy after %.1f s%n", services.size(), seconds(t0));
    if (scraping) {
      awaitScraped(services.size(), prometheusPort, processes, out);
    }
    return processes;
  }

  /**
   * The id of the cluster whose broker data is still in {@code dir} (stopped without {@code
   * --purge}): brokers refuse a log directory formatted for another cluster id, so a cluster
   * started again in the same directory keeps its id, and its data.
   */
  static Optional<String> previousClusterId(Path dir) throws IOException {
    Path file = dir.resolve(PROPERTIES);
    if (!Files.exists(file) || !Files.isDirectory(dir.resolve("data"))) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (var r = Files.newBufferedReader(file)) {
      p.load(r);
    }
    return Optional.ofNullable(p.getProperty("cluster.id"));
  }

  /** The bootstrap servers recorded for the cluster in {@code dir}. */
  static String bootstrapServers(Path dir) throws IOException {
    Path file = dir.resolve(PROPERTIES);
    if (!Files.exists(file)) {
      throw new IllegalArgumentException("no cluster in " + dir + " (run `advrank cluster up`)");
    }
    Properties p = new Properties();
    try (var r = Files.newBufferedReader(file)) {
      p.load(r);
    }
    return p.getProperty("bootstrap.servers");
  }

  /** Waits until every broker is in the cluster's metadata. */
  static void awaitBrokers(ClusterInspector inspector, int brokers, ClusterProcesses processes)
      throws Exception {
    awaitBrokers(inspector, brokers, processes, BROKERS_UP);
  }

  /** As {@link #awaitBrokers(ClusterInspector, int, ClusterProcesses)}, within {@code timeout}. */
  static void awaitBrokers(
      ClusterInspector inspector, int brokers, ClusterProcesses processes, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        if (inspector.liveBrokers().size() >= brokers) {
          return;
        }
      } catch (Exception notYet) {
        // no quorum yet
      }
      for (Entry e : processes.entries()) {
        if (e.spec().role() == Role.BROKER && processes.live(e).isEmpty()) {
          throw new IllegalStateException(
              e.spec().name() + " exited; its log: " + e.log() + "\n" + tail(e.log()));
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("brokers not up within " + timeout.toSeconds() + " s");
      }
      Thread.sleep(500);
    }
  }

  /** Waits until a service's {@code /health} answers UP; fails early if it exits. */
  static void awaitHealthy(ClusterProcesses processes, String name, Duration timeout)
      throws Exception {
    Entry e = processes.get(name).orElseThrow();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!healthy(e.spec().port())) {
      if (processes.live(e).isEmpty()) {
        throw new IllegalStateException(
            name + " exited; its log: " + e.log() + "\n" + tail(e.log()));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            name + " not healthy within " + timeout.toSeconds() + " s; its log: " + e.log());
      }
      Thread.sleep(500);
    }
  }

  /** Whether the service on {@code port} answers its health check with UP. */
  static boolean healthy(int port) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
            .timeout(Duration.ofSeconds(2))
            .build();
    try {
      HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 && r.body().contains("UP");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Starts Prometheus scraping every service; false if it is not installed. */
  private static boolean startPrometheus(
      ClusterPlan plan,
      List<ProcessSpec> services,
      int port,
      ClusterProcesses processes,
      PrintStream out)
      throws IOException {
    Optional<Path> binary = onPath("prometheus");
    if (binary.isEmpty()) {
      out.println("prometheus not installed: not scraping (Debian: apt-get install prometheus)");
      return false;
    }
    Path config = plan.dir().resolve("prometheus.yml");
    Files.writeString(config, PrometheusConfig.of(services, rules()));
    List<String> command =
        List.of(
            binary.get().toString(),
            "--config.file=" + config,
            "--storage.tsdb.path=" + plan.dir().resolve("data").resolve("prometheus"),
            "--web.listen-address=127.0.0.1:" + port);
    processes.start(new ProcessSpec("prometheus", Role.PROMETHEUS, port, List.of(), command));
    return true;
  }

  /** Fails unless Prometheus reports all {@code services} targets up within the time allowed. */
  private static void awaitScraped(
      int services, int port, ClusterProcesses processes, PrintStream out)
      throws InterruptedException {
    // Started is not scraping: wait until Prometheus itself reports every service's target up
    // (a wrong port, a refused scrape or a bad config would otherwise go unnoticed).
    List<PrometheusTargets.Target> targets = PrometheusTargets.await(port, services, PROMETHEUS_UP);
    out.printf("Prometheus on http://127.0.0.1:%d%n", port);
    out.print(PrometheusTargets.table(targets, services));
    if (!PrometheusTargets.allUp(targets, services)) {
      throw new IllegalStateException(
          "Prometheus does not scrape every service within "
              + PROMETHEUS_UP.toSeconds()
              + " s (targets above; its log: "
              + processes.get("prometheus").orElseThrow().log()
              + ")");
    }
  }

  /** The alert rules shipped in {@code deploy/prometheus/rules}, if this is a checkout. */
  private static Optional<Path> rules() {
    String home = System.getenv().getOrDefault("ADVRANK_HOME", ".");
    Path rules = Path.of(home, "deploy", "prometheus", "rules", "advrank-alerts.yml");
    return Files.exists(rules) ? Optional.of(rules.toAbsolutePath().normalize()) : Optional.empty();
  }

  static Optional<Path> onPath(String program) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(d.isEmpty() ? "." : d, program);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}
