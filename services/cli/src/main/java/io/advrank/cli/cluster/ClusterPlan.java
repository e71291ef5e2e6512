package io.advrank.cli.cluster;

import io.advrank.attackworker.StagingFence;
import io.advrank.cli.cluster.ProcessSpec.Role;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * What {@code advrank cluster up} starts, with every port fixed up front: brokers on {@code
 * brokerPort}, +1, +2 (controllers 100 above each), then the services, each its own process with
 * its own {@code /metrics} port counted up from {@code metricsPort}: producer, attack-workers,
 * rankers, monitor, defense-trainer. Instances of one service get ids {@code <service>-<n>}, which
 * name their transactional ids and so must stay the same when one is restarted.
 *
 * @param dir where pids, ports, logs and broker data go
 * @param brokers KRaft nodes (each a broker and a controller voter)
 * @param attackWorkers attack-worker processes (one consumer group)
 * @param rankers ranker processes (one consumer group)
 * @param monitor whether to run the monitor
 * @param defenseTrainer whether to run the defense-trainer
 * @param brokerPort first broker's client port
 * @param metricsPort first service's metrics port
 * @param serviceSettings extra {@code --key=value} settings per service name (all services: "*")
 */
record ClusterPlan(
    Path dir,
    int brokers,
    int attackWorkers,
    int rankers,
    boolean monitor,
    boolean defenseTrainer,
    int brokerPort,
    int metricsPort,
    java.util.Map<String, List<String>> serviceSettings) {

  ClusterPlan {
    require(brokers >= 1, "--brokers must be at least 1, was " + brokers);
    require(attackWorkers >= 1, "--attack-workers must be at least 1, was " + attackWorkers);
    require(rankers >= 1, "--rankers must be at least 1, was " + rankers);
    require(brokerPort > 0 && brokerPort + 100 + brokers < 65536, "--broker-port out of range");
    require(metricsPort > 0 && metricsPort + 100 < 65536, "--metrics-port out of range");
    dir = dir.toAbsolutePath().normalize();
    serviceSettings = java.util.Map.copyOf(serviceSettings);
  }

  /** Replication of advrank's topics: 3, or fewer brokers if there are fewer. */
  short replicationFactor() {
    return (short) Math.min(3, brokers);
  }

  /** The brokers' client addresses, as services are given them. */
  String bootstrapServers() {
    StringJoiner j = new StringJoiner(",");
    for (int i = 0; i < brokers; i++) {
      j.add("127.0.0.1:" + (brokerPort + i));
    }
    return j.toString();
  }

  /** The controller quorum: every broker is a voter. */
  String voters() {
    StringJoiner j = new StringJoiner(",");
    for (int i = 0; i < brokers; i++) {
      j.add((i + 1) + "@127.0.0.1:" + (brokerPort + 100 + i));
    }
    return j.toString();
  }

  /** Every broker, in node-id order. */
  List<ProcessSpec> brokerSpecs(String clusterId) {
    List<ProcessSpec> out = new ArrayList<>();
    for (int i = 0; i < brokers; i++) {
      int node = i + 1;
      out.add(
          ProcessSpec.advrank(
              "broker-" + node,
              Role.BROKER,
              brokerPort + i,
              List.of(
                  "broker",
                  "--node-id=" + node,
                  "--port=" + (brokerPort + i),
                  "--controller-port=" + (brokerPort + 100 + i),
                  "--controller-quorum=" + voters(),
                  "--cluster-id=" + clusterId,
                  "--log-dir=" + dir.resolve("data").resolve("broker-" + node))));
    }
    return out;
  }

  /**
   * Every service, in start order (consumers first, the producer last); attack-workers are fenced
   * to cluster {@code clusterId}.
   */
  List<ProcessSpec> serviceSpecs(String clusterId) {
    List<ProcessSpec> out = new ArrayList<>();
    int port = metricsPort;
    out.add(service("producer", "producer-0", "producer.id", port++));
    for (int i = 0; i < attackWorkers; i++) {
      ProcessSpec w = service("attack-worker", "attack-worker-" + i, "worker.id", port++);
      List<String> args = new ArrayList<>(w.args());
      // This cluster is ours, made for the run: the worker may attack it (StagingFence).
      new TreeMap<>(StagingFence.settingsFor(clusterId))
          .forEach((key, value) -> args.add(2, "--" + key + "=" + value));
      out.add(ProcessSpec.advrank(w.name(), w.role(), w.port(), args));
    }
    for (int i = 0; i < rankers; i++) {
      out.add(service("ranker", "ranker-" + i, "ranker.id", port++));
    }
    if (monitor) {
      ProcessSpec m = service("monitor", "monitor-0", null, port++);
      List<String> args = new ArrayList<>(m.args());
      args.add("--query.port=" + (metricsPort + 99));
      args.add("--state.dir=" + dir.resolve("data").resolve("monitor"));
      out.add(ProcessSpec.advrank(m.name(), m.role(), m.port(), args));
    }
    if (defenseTrainer) {
      out.add(service("defense-trainer", "defense-trainer-0", "trainer.id", port++));
    }
    List<ProcessSpec> ordered = new ArrayList<>(out.subList(1, out.size()));
    ordered.add(out.get(0));
    return ordered;
  }

  private ProcessSpec service(String service, String name, String idKey, int port) {
    List<String> args = new ArrayList<>();
    args.add("serve");
    args.add(service);
    args.add("--kafka.bootstrap.servers=" + bootstrapServers());
    args.add("--kafka.replication.factor=" + replicationFactor());
    args.add("--metrics.port=" + port);
    if (idKey != null) {
      args.add("--" + idKey + "=" + name);
    }
    args.addAll(serviceSettings.getOrDefault("*", List.of()));
    args.addAll(serviceSettings.getOrDefault(service, List.of()));
    return ProcessSpec.advrank(name, Role.SERVICE, port, args);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
