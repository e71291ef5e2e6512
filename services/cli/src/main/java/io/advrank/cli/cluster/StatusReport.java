package io.advrank.cli.cluster;

import io.advrank.cli.cluster.ClusterInspector.PartitionState;
import io.advrank.cli.cluster.ClusterProcesses.Entry;
import io.advrank.cli.cluster.ProcessSpec.Role;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/** The text of {@code cluster status}. */
final class StatusReport {
  private StatusReport() {}

  static String processes(ClusterProcesses processes) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            "%-20s %-10s %8s %6s  %-8s %s%n", "process", "role", "pid", "port", "state", "log"));
    for (Entry e : processes.entries()) {
      boolean alive = processes.live(e).isPresent();
      String state =
          !alive
              ? "DEAD"
              : e.spec().role() == Role.SERVICE
                  ? (LocalCluster.healthy(e.spec().port()) ? "healthy" : "starting")
                  : "alive";
      b.append(
          String.format(
              "%-20s %-10s %8d %6d  %-8s %s%n",
              e.spec().name(),
              e.spec().kind(),
              e.pid(),
              e.spec().port(),
              state,
              processes.dir().relativize(e.log())));
    }
    return b.toString();
  }

  /**
   * Prints {@link #kafka} for the cluster at {@code bootstrapServers}, asking up to {@code
   * attempts} times with {@code timeout} for each admin call: on a loaded machine (load average 24
   * was seen) the first answer can take longer than a healthy cluster ever needs. Returns whether
   * the cluster answered; if not, the last line says why and what to try.
   */
  static boolean kafkaWithRetries(
      String bootstrapServers, Duration timeout, int attempts, PrintStream out) {
    Throwable last = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      try (ClusterInspector inspector = new ClusterInspector(bootstrapServers, timeout)) {
        out.print(kafka(inspector));
        return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        out.println("Kafka: interrupted");
        return false;
      } catch (Exception e) {
        last = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        if (attempt < attempts) {
          out.printf(
              "Kafka: %s (attempt %d of %d: %s); asking again%n",
              isTimeout(last) ? "no answer within " + timeout.toSeconds() + " s" : "no report",
              attempt,
              attempts,
              last);
        }
      }
    }
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    if (isTimeout(last)) {
      out.printf(
          "Kafka: no answer from %s in %d attempts of %d s (%s; load average %.1f): the brokers"
              + " are down (see the table above) or the machine is overloaded; raise"
              + " --kafka-timeout or --attempts%n",
          bootstrapServers, attempts, timeout.toSeconds(), last, load);
    } else {
      out.printf(
          "Kafka: no report from %s in %d attempts (%s; load average %.1f)%n",
          bootstrapServers, attempts, last, load);
    }
    return false;
  }

  /**
   * Prometheus's view of its targets, if this cluster runs a Prometheus: a table with every
   * service's target and its health, or why there is none.
   */
  static String prometheus(ClusterProcesses processes) {
    Optional<Entry> prometheus = processes.get("prometheus");
    if (prometheus.isEmpty()) {
      return "Prometheus: not started (not installed, or --prometheus-port 0)\n";
    }
    if (processes.live(prometheus.get()).isEmpty()) {
      return "Prometheus: DEAD (its log: " + prometheus.get().log() + ")\n";
    }
    long services =
        processes.entries().stream().filter(e -> e.spec().role() == Role.SERVICE).count();
    try {
      List<PrometheusTargets.Target> targets = PrometheusTargets.of(prometheus.get().spec().port());
      return PrometheusTargets.table(targets, (int) services);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "Prometheus: interrupted\n";
    } catch (IOException | RuntimeException e) {
      return "Prometheus: no answer on :" + prometheus.get().spec().port() + " (" + e + ")\n";
    }
  }

  /** One line for a report: how many services Prometheus scraped, or why nothing was checked. */
  static String prometheusLine(ClusterProcesses processes) {
    String table = prometheus(processes).strip();
    return table.substring(table.lastIndexOf('\n') + 1);
  }

  private static boolean isTimeout(Throwable e) {
    return e instanceof TimeoutException
        || e instanceof org.apache.kafka.common.errors.TimeoutException;
  }

  static String kafka(ClusterInspector inspector) throws Exception {
    StringBuilder b = new StringBuilder();
    b.append("brokers up: ").append(inspector.liveBrokers()).append('\n');
    b.append(
        String.format("%-30s %4s %6s  %-10s %s%n", "topic", "part", "leader", "isr", "replicas"));
    List<PartitionState> partitions = inspector.partitions();
    for (PartitionState p : partitions) {
      b.append(
          String.format(
              "%-30s %4d %6s  %-10s %d%s%n",
              p.topic(),
              p.partition(),
              p.leader() < 0 ? "none" : Integer.toString(p.leader()),
              p.isr().stream().map(String::valueOf).collect(Collectors.joining(",")),
              p.replicas(),
              p.isr().size() < p.replicas() ? "  under-replicated" : ""));
    }
    b.append(String.format("%-40s %s%n", "consumer group", "lag"));
    for (Map.Entry<String, Long> g : inspector.lagByGroup().entrySet()) {
      b.append(String.format("%-40s %d%n", g.getKey(), g.getValue()));
    }
    return b.toString();
  }
}
