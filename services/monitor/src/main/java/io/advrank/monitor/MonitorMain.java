package io.advrank.monitor;

import io.advrank.runtime.http.HttpAccess;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.lifecycle.Shutdown;
import io.advrank.runtime.metrics.MetricsServer;
import io.advrank.runtime.metrics.ProcessRegistry;
import io.advrank.runtime.settings.SettingsException;
import io.advrank.runtime.settings.SettingsSource;
import io.advrank.runtime.topic.Topics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

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
    MonitorSettings settings;
    HttpAccess http;
    try {
      SettingsSource source = SettingsSource.fromArgs(MonitorSettings.KEYS, args, env);
      settings = MonitorSettings.from(source);
      http = HttpAccess.from(source);
    } catch (SettingsException e) {
      System.err.println("advrank monitor: " + e.getMessage());
      return 2;
    }
    // Every Kafka client of this process, the model feed's included, authenticates alike.
    ClientProperties.useSecurity(settings.kafka().security());
    Shutdown shutdown = Shutdown.onJvmExit();
    try {
      return serve(settings, http, shutdown);
    } catch (IOException | RuntimeException e) {
      System.err.println("advrank monitor: " + e);
      return 1;
    } finally {
      shutdown.close();
    }
  }

  private static int serve(MonitorSettings settings, HttpAccess http, Shutdown shutdown)
      throws IOException, InterruptedException {
    PrometheusMeterRegistry registry = ProcessRegistry.create();
    try (Admin admin =
        Admin.create(
            ClientProperties.admin(settings.kafka().bootstrapServers(), "advrank-monitor-admin"))) {
      Topics.createAll(admin, settings.kafka().replicationFactor(), Duration.ofSeconds(60));
    }
    MonitorService service = shutdown.register(MonitorService.create(settings, registry));
    shutdown.register(MetricsServer.start(http, settings.metricsPort(), registry, service::health));
    shutdown.register(MonitorQueries.start(http, settings.queryPort(), service));
    service.start();
    while (!shutdown.awaitStopRequest(Duration.ofSeconds(1))) {
      if (service.failure().isPresent()) {
        shutdown.requestStop(1, "monitor failed: " + service.failure().get());
      }
    }
    return shutdown.exitCode();
  }
}
