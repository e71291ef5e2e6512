package io.advrank.cli.cluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The options of {@code cluster up} that {@code cluster chaos} shares: what to start, where. */
final class ClusterOptions {
  @Option(
      names = "--brokers",
      defaultValue = "3",
      description = "Kafka brokers (KRaft nodes, each also a controller voter) (default: 3).")
  int brokers;

  @Option(
      names = "--attack-workers",
      defaultValue = "2",
      description = "Attack-worker processes, one consumer group (default: 2).")
  int attackWorkers;

  @Option(
      names = "--rankers",
      defaultValue = "2",
      description = "Ranker processes, one consumer group (default: 2).")
  int rankers;

  @Option(names = "--no-monitor", negatable = false, description = "Do not run the monitor.")
  boolean noMonitor;

  @Option(
      names = "--no-defense-trainer",
      negatable = false,
      description =
          "Do not run the defense-trainer (it trains without pause: a CPU hog on a laptop).")
  boolean noDefenseTrainer;

  @Option(
      names = "--broker-port",
      defaultValue = "19092",
      description =
          "First broker's client port; the others follow, controllers 100 above (default: "
              + "${DEFAULT-VALUE}).")
  int brokerPort;

  @Option(
      names = "--metrics-port",
      defaultValue = "19300",
      description =
          "First service's /metrics port; the others follow (producer, attack-workers, rankers, "
              + "monitor, defense-trainer; the monitor's query port is this + 99) "
              + "(default: ${DEFAULT-VALUE}).")
  int metricsPort;

  @Option(
      names = "--prometheus-port",
      defaultValue = "19090",
      description =
          "Prometheus's port, when `prometheus` is installed; 0: do not start it "
              + "(default: ${DEFAULT-VALUE}).")
  int prometheusPort;

  @Option(
      names = "--model",
      description = "Model directory for the ranker, attack-worker and defense-trainer.")
  Path model;

  @Option(names = "--data", description = "Data set directory for the producer.")
  Path data;

  @Option(
      names = "--set",
      paramLabel = "SERVICE:KEY=VALUE",
      description =
          "A setting for every instance of a service, e.g. producer:query.rate=20 or "
              + "attack-worker:batch.max=16 (repeatable).")
  List<String> settings = new ArrayList<>();

  /**
   * The attack-workers' campaign unless {@code --set attack-worker:campaign=...}: the demo's attack
   * types, at shares that two workers on two cores keep up with.
   */
  static final String DEFAULT_CAMPAIGN =
      "CA+ eps=0.1 w=1 fraction=0.1; CA- eps=0.1 w=1 fraction=0.05;"
          + " SP-QA+ eps=0.1 m=1 fraction=0.1; SP-QA- eps=0.1 m=1 fraction=0.05";

  ClusterPlan plan(Path dir) {
    Map<String, List<String>> perService = new HashMap<>();
    if (settings.stream().noneMatch(s -> s.startsWith("attack-worker:campaign="))) {
      perService
          .computeIfAbsent("attack-worker", k -> new ArrayList<>())
          .add("--campaign=" + DEFAULT_CAMPAIGN);
    }
    if (model != null) {
      String m = "--model.dir=" + model.toAbsolutePath().normalize();
      for (String s : List.of("attack-worker", "ranker", "defense-trainer")) {
        perService.computeIfAbsent(s, k -> new ArrayList<>()).add(m);
      }
    }
    if (data != null) {
      perService
          .computeIfAbsent("producer", k -> new ArrayList<>())
          .add("--data.dir=" + data.toAbsolutePath().normalize());
    }
    for (String s : settings) {
      int colon = s.indexOf(':');
      if (colon < 1 || !s.substring(colon + 1).contains("=")) {
        throw new IllegalArgumentException("--set must be SERVICE:KEY=VALUE, was '" + s + "'");
      }
      perService
          .computeIfAbsent(s.substring(0, colon), k -> new ArrayList<>())
          .add("--" + s.substring(colon + 1));
    }
    return new ClusterPlan(
        dir,
        brokers,
        attackWorkers,
        rankers,
        !noMonitor,
        !noDefenseTrainer,
        brokerPort,
        metricsPort,
        perService);
  }
}
