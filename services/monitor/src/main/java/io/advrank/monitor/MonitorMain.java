package io.advrank.monitor;

import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.lifecycle.ServiceLauncher;
import java.util.Map;

/**
 * {@code MonitorMain [--settings FILE] [--key=value ...]}: loads {@link MonitorSettings}, creates
 * the topics, runs {@link MonitorService}, serves {@code /metrics} and {@code /health} and the
 * interactive queries ({@link MonitorQueries}) until the process is stopped. Exit codes: 0 stopped,
 * 1 failed, 2 bad settings.
 */
public final class MonitorMain {
  private MonitorMain() {}

  public static void main(String[] args) throws InterruptedException {
    System.exit(run(args, System.getenv()));
  }

  /** Runs the service until stopped; returns the exit code. */
  public static int run(String[] args, Map<String, String> env) throws InterruptedException {
    return ServiceLauncher.of(
            "monitor",
            MonitorSettings.KEYS,
            MonitorSettings::from,
            s -> ClientProperties.admin(s.kafka().bootstrapServers(), "advrank-monitor-admin"))
        .run(
            args,
            env,
            (settings, launch) -> {
              MonitorService service = MonitorService.create(settings, launch.registry());
              // The interactive queries (/drift, /versions, ...) on their own port.
              launch
                  .shutdown()
                  .register(MonitorQueries.start(launch.http(), settings.queryPort(), service));
              return service;
            });
  }
}
