package io.advrank.defensetrainer;

import io.advrank.runtime.http.HttpAccess;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.lifecycle.Shutdown;
import io.advrank.runtime.metrics.MetricsServer;
import io.advrank.runtime.settings.SettingsException;
import io.advrank.runtime.settings.SettingsSource;
import io.advrank.runtime.topic.Topics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;

/**
 * {@code DefenseTrainerMain [--settings FILE] [--key=value ...]}: loads {@link
 * DefenseTrainerSettings}, creates the topics, serves {@code /metrics} and {@code /health}, and
 * runs {@link DefenseTrainerService} until the process is stopped. Exit codes: 0 stopped, 1 failed
 * (e.g. an unusable model), 2 bad settings.
 */
public final class DefenseTrainerMain {
  private DefenseTrainerMain() {}

  public static void main(String[] args) throws InterruptedException {
    System.exit(run(args, System.getenv()));
  }

  /** Runs the service until stopped; returns the exit code. */
  public static int run(String[] args, Map<String, String> env) throws InterruptedException {
    DefenseTrainerSettings settings;
    HttpAccess http;
    try {
      SettingsSource source = settingsSource(args, env, DefenseTrainerSettings.KEYS);
      settings = DefenseTrainerSettings.from(source);
      http = HttpAccess.from(source);
    } catch (SettingsException e) {
      System.err.println("advrank defense-trainer: " + e.getMessage());
      return 2;
    }
    // Every Kafka client of this process, the model feed's included, authenticates alike.
    ClientProperties.useSecurity(settings.kafka().security());
    Shutdown shutdown = Shutdown.onJvmExit();
    try {
      return serve(settings, http, shutdown);
    } catch (IOException | RuntimeException e) {
      System.err.println("advrank defense-trainer: " + e);
      return 1;
    } finally {
      shutdown.close();
    }
  }

  private static int serve(DefenseTrainerSettings settings, HttpAccess http, Shutdown shutdown)
      throws IOException, InterruptedException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (Admin admin =
        Admin.create(
            ClientProperties.admin(
                settings.kafka().bootstrapServers(), "advrank-defense-trainer-admin"))) {
      Topics.createAll(admin, settings.kafka().replicationFactor(), Duration.ofSeconds(60));
    }
    DefenseTrainerService service =
        shutdown.register(new DefenseTrainerService(settings, Clock.systemUTC(), registry));
    shutdown.register(MetricsServer.start(http, settings.metricsPort(), registry, service::health));
    service.start();
    while (!shutdown.awaitStopRequest(Duration.ofSeconds(1))) {
      if (service.failure().isPresent()) {
        shutdown.requestStop(1, "defense-trainer failed: " + service.failure().get());
      }
    }
    return shutdown.exitCode();
  }

  /** Settings from {@code --key=value} flags, {@code ADVRANK_*} variables and a file. */
  static SettingsSource settingsSource(String[] args, Map<String, String> env, Set<String> keys) {
    return SettingsSource.fromArgs(keys, args, env);
  }
}
