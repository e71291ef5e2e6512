package io.advrank.cli.cluster;

import com.google.gson.GsonBuilder;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.settings.KafkaSecurity;
import io.advrank.runtime.settings.SettingsSource;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code advrank cluster chaos}: a fault run on a fresh local cluster, counted by event id. */
@Command(
    name = "chaos",
    mixinStandardHelpOptions = true,
    description = {
      "Start a fresh local cluster, send traffic for --duration, and meanwhile kill -9 one broker "
          + "(the rankers' group coordinator) and one attack-worker, restart them, then kill -9 "
          + "and restart one ranker. When the traffic ends and the pipeline has drained, read "
          + "every output topic (read_committed) and count by event id against what the "
          + "producer sent: queries delivered and answered, catalog items delivered, attacks and "
          + "their rank shifts. Prints the report (also <dir>/chaos-report.json) with each "
          + "fault's recovery time and the peak consumer lag; exit code 1 unless 0 lost and 0 "
          + "duplicated.",
      "  advrank cluster chaos --duration 5m --data DIR"
    })
public final class ChaosCommand implements Callable<Integer> {
  @Mixin ClusterOptions options;

  @Option(
      names = "--dir",
      defaultValue = "target/cluster-chaos",
      description = "The run's cluster directory (default: ${DEFAULT-VALUE}).")
  java.nio.file.Path dir;

  @Option(
      names = "--duration",
      defaultValue = "5m",
      description =
          "How long the producer sends queries, e.g. 90s, 5m (default: ${DEFAULT-VALUE}).")
  String duration;

  @Option(
      names = "--restart-after",
      description =
          "How long a killed process stays down (default: a tenth of --duration, 10-30 s).")
  String restartAfter;

  @Option(
      names = "--drain-timeout",
      defaultValue = "3m",
      description =
          "How long to wait after the traffic for every event to come through (default: "
              + "${DEFAULT-VALUE}).")
  String drainTimeout;

  @Option(
      names = "--keep",
      description = "Leave the cluster running afterwards (stop it with `cluster down --dir`).")
  boolean keep;

  @Override
  public Integer call() throws Exception {
    ClientProperties.useSecurity(KafkaSecurity.PLAINTEXT); // its own local cluster, plain text
    Duration traffic = SettingsSource.parseDuration("--duration", duration);
    Duration down =
        restartAfter != null
            ? SettingsSource.parseDuration("--restart-after", restartAfter)
            : clamp(traffic.dividedBy(10), Duration.ofSeconds(10), Duration.ofSeconds(30));
    Duration drain = SettingsSource.parseDuration("--drain-timeout", drainTimeout);
    if (traffic.toSeconds() < 30) {
      throw new IllegalArgumentException("--duration must be at least 30s, was " + duration);
    }
    options.settings.add(0, "producer:query.duration=" + traffic.toMillis() + "ms");
    if (options.settings.stream().noneMatch(s -> s.startsWith("producer:catalog.limit="))) {
      options.settings.add(0, "producer:catalog.limit=300");
    }
    ClusterPlan plan = options.plan(dir);
    String command = "advrank cluster chaos --duration " + duration;
    ChaosRun run =
        new ChaosRun(plan, options.prometheusPort, traffic, down, drain, command, System.out);
    ChaosReport report;
    try {
      report = run.call();
    } finally {
      if (!keep) {
        System.out.println("stopping the cluster");
        ClusterCommand.stopAll(ClusterProcesses.in(plan.dir()), Duration.ofSeconds(30));
      }
    }
    String json = new GsonBuilder().setPrettyPrinting().create().toJson(report);
    Files.writeString(plan.dir().resolve("chaos-report.json"), json);
    System.out.print(report.text());
    System.out.println("report: " + plan.dir().resolve("chaos-report.json"));
    return report.exact() ? 0 : 1;
  }

  private static Duration clamp(Duration d, Duration min, Duration max) {
    return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
  }
}
