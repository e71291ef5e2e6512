package io.advrank.cli.cluster;

import io.advrank.cli.cluster.ClusterInspector.PartitionState;
import io.advrank.cli.cluster.ClusterProcesses.Entry;
import io.advrank.cli.cluster.ProcessSpec.Role;
import java.util.List;
import java.util.Map;
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
