package io.advrank.cli.cluster;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The scrape configuration of a local cluster: one job per service, named as in {@code
 * deploy/prometheus/prometheus.yml} ({@code advrank-<service>}), with one target per instance, so
 * the dashboards and alert rules work unchanged; an instance is told apart by its {@code instance}
 * label (its port).
 */
final class PrometheusConfig {
  private PrometheusConfig() {}

  static String of(List<ProcessSpec> services, Optional<Path> rules) {
    Map<String, List<String>> jobs = new LinkedHashMap<>();
    for (ProcessSpec s : services) {
      jobs.computeIfAbsent("advrank-" + s.kind(), k -> new java.util.ArrayList<>())
          .add("\"127.0.0.1:" + s.port() + "\"");
    }
    StringBuilder y = new StringBuilder();
    y.append("# Written by `advrank cluster up`: every service process of this cluster.\n");
    y.append("global:\n  scrape_interval: 5s\n  evaluation_interval: 5s\n");
    rules.ifPresent(r -> y.append("rule_files:\n  - ").append(r).append('\n'));
    y.append("scrape_configs:\n");
    jobs.forEach(
        (job, targets) ->
            y.append("  - job_name: ")
                .append(job)
                .append("\n    static_configs:\n      - targets: [")
                .append(targets.stream().collect(Collectors.joining(", ")))
                .append("]\n"));
    return y.toString();
  }
}
