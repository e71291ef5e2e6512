package io.advrank.cli.cluster;

import io.advrank.cli.cluster.ClusterProcesses.Entry;
import io.advrank.cli.cluster.ProcessSpec.Role;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.lifecycle.TempDirectory;
import io.advrank.runtime.settings.KafkaSecurity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code advrank cluster up|down|status|chaos}: advrank as separate processes on a replicated local
 * Kafka cluster, to watch it, scale it and break it.
 */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description =
        "A local cluster: 3 KRaft brokers and every service as its own process (see "
            + "docs/cluster.md).",
    subcommands = {
      ClusterCommand.Up.class,
      ClusterCommand.Down.class,
      ClusterCommand.Status.class,
      ChaosCommand.class
    })
public final class ClusterCommand implements Runnable {
  static {
    // The admin client warns on every failed connection to a broker that is down: expected here
    // (brokers starting, a broker killed on purpose). Read by slf4j-simple, the CLI's backend.
    if (System.getProperty("org.slf4j.simpleLogger.log.org.apache.kafka") == null) {
      System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
    }
  }

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code --dir}: where a cluster keeps its pids, ports, logs and data. */
  static final class DirOption {
    @Option(
        names = "--dir",
        defaultValue = "target/cluster",
        description =
            "The cluster's directory: pids, ports, logs, data (default: ${DEFAULT-VALUE}).")
    Path dir;

    Path dir() {
      return dir.toAbsolutePath().normalize();
    }
  }

  @Command(
      name = "up",
      mixinStandardHelpOptions = true,
      description =
          "Start brokers (KRaft, replication 3, min.insync.replicas 2), then every service as "
              + "its own process, and Prometheus when installed; returns once all are healthy.")
  static final class Up implements Callable<Integer> {
    @Mixin DirOption dir;
    @Mixin ClusterOptions options;

    @Override
    public Integer call() throws Exception {
      ClusterPlan plan = options.plan(dir.dir());
      ClusterProcesses processes;
      try {
        processes = LocalCluster.up(plan, options.prometheusPort, System.out);
      } catch (Exception e) {
        System.err.println(
            "advrank: cluster up failed, stopping what it started: " + e.getMessage());
        ClusterProcesses started = ClusterProcesses.in(plan.dir());
        started.stop(started.entries(), Duration.ofSeconds(20));
        throw e;
      }
      System.out.print(StatusReport.processes(processes));
      System.out.printf(
          "bootstrap servers: %s%nstop with: advrank cluster down --dir %s%n",
          plan.bootstrapServers(), plan.dir());
      return 0;
    }
  }

  @Command(
      name = "down",
      mixinStandardHelpOptions = true,
      description =
          "Stop exactly the processes `cluster up` started (by process id): services first, then "
              + "Prometheus and the brokers; SIGTERM, then SIGKILL after --timeout.")
  static final class Down implements Callable<Integer> {
    @Mixin DirOption dir;

    @Option(
        names = "--timeout",
        defaultValue = "30",
        description = "Seconds to wait after SIGTERM before SIGKILL (default: ${DEFAULT-VALUE}).")
    int timeout;

    @Option(names = "--purge", description = "Also delete the directory (data and logs).")
    boolean purge;

    @Override
    public Integer call() throws Exception {
      ClientProperties.useSecurity(KafkaSecurity.PLAINTEXT); // the local cluster is plain text
      ClusterProcesses processes = ClusterProcesses.in(dir.dir());
      int stopped = stopAll(processes, Duration.ofSeconds(timeout));
      System.out.printf("stopped %d processes of %s%n", stopped, dir.dir());
      processes.clear();
      if (purge) {
        TempDirectory.deleteRecursively(dir.dir());
      }
      return 0;
    }
  }

  /** Stops services, then Prometheus, then brokers; returns how many were running. */
  static int stopAll(ClusterProcesses processes, Duration grace) throws InterruptedException {
    int running = 0;
    for (Role role : List.of(Role.SERVICE, Role.PROMETHEUS, Role.BROKER)) {
      List<Entry> these =
          processes.entries().stream()
              .filter(e -> e.spec().role() == role && processes.live(e).isPresent())
              .toList();
      running += these.size();
      List<String> forced = processes.stop(these, grace);
      if (!forced.isEmpty()) {
        System.out.println("SIGKILL after " + grace.toSeconds() + " s: " + forced);
      }
    }
    return running;
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description =
          "Each process (alive? healthy? port), the brokers, every topic's partitions with "
              + "leader and in-sync replicas, and each consumer group's lag.")
  static final class Status implements Callable<Integer> {
    @Mixin DirOption dir;

    @Option(
        names = "--kafka-timeout",
        defaultValue = "15",
        description =
            "Seconds each admin call may wait for the brokers' answer (default: ${DEFAULT-VALUE}).")
    int kafkaTimeout;

    @Option(
        names = "--attempts",
        defaultValue = "3",
        description =
            "How often to ask a cluster that does not answer (default: ${DEFAULT-VALUE}).")
    int attempts;

    @Override
    public Integer call() throws Exception {
      if (kafkaTimeout < 1) {
        throw new IllegalArgumentException(
            "--kafka-timeout must be at least 1, was " + kafkaTimeout);
      }
      if (attempts < 1) {
        throw new IllegalArgumentException("--attempts must be at least 1, was " + attempts);
      }
      ClientProperties.useSecurity(KafkaSecurity.PLAINTEXT); // the local cluster is plain text
      ClusterProcesses processes = ClusterProcesses.in(dir.dir());
      System.out.print(StatusReport.processes(processes));
      System.out.print(StatusReport.prometheus(processes));
      boolean kafka =
          StatusReport.kafkaWithRetries(
              LocalCluster.bootstrapServers(dir.dir()),
              Duration.ofSeconds(kafkaTimeout),
              attempts,
              System.out);
      return kafka ? 0 : 1;
    }
  }
}
