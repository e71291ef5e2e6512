package io.advrank.ranker;

import io.advrank.core.model.ModelException;
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
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;

/**
 * {@code RankerMain [--settings FILE] [--key=value ...]}: loads {@link RankerSettings}, creates the
 * topics, loads the model, serves {@code /metrics} and {@code /health}, and runs {@link
 * RankerService} until the process is stopped. Exit codes: 0 stopped, 1 failed, 2 bad settings or
 * model.
 */
public final class RankerMain {
  private RankerMain() {}

  public static void main(String[] args) throws InterruptedException {
    System.exit(run(args, System.getenv()));
  }

  /** Runs the service until stopped; returns the exit code. */
  public static int run(String[] args, Map<String, String> env) throws InterruptedException {
    RankerSettings settings;
    HttpAccess http;
    try {
      SettingsSource source = settingsSource(args, env, RankerSettings.KEYS);
      settings = RankerSettings.from(source);
      http = HttpAccess.from(source);
    } catch (SettingsException e) {
      System.err.println("advrank ranker: " + e.getMessage());
      return 2;
    }
    // Every Kafka client of this process, the model feed's included, authenticates alike.
    ClientProperties.useSecurity(settings.kafka().security());
    Shutdown shutdown = Shutdown.onJvmExit();
    try {
      return serve(settings, http, shutdown);
    } catch (ModelException e) {
      System.err.println("advrank ranker: " + e.getMessage());
      return 2;
    } catch (IOException | RuntimeException e) {
      System.err.println("advrank ranker: " + e);
      return 1;
    } finally {
      shutdown.close();
    }
  }

  private static int serve(RankerSettings settings, HttpAccess http, Shutdown shutdown)
      throws IOException, ModelException, InterruptedException {
    PrometheusMeterRegistry registry = ProcessRegistry.create();
    try (Admin admin = Admin.create(RankerClients.admin(settings))) {
      Topics.createAll(admin, settings.kafka().replicationFactor(), Duration.ofSeconds(60));
    }
    RankerService service =
        shutdown.register(RankerService.create(settings, Clock.systemUTC(), registry));
    shutdown.register(MetricsServer.start(http, settings.metricsPort(), registry, service::health));
    service.start();
    while (!shutdown.awaitStopRequest(Duration.ofSeconds(1))) {
      if (service.failure().isPresent()) {
        shutdown.requestStop(1, "ranker failed: " + service.failure().get());
      }
    }
    return shutdown.exitCode();
  }

  /** Settings from {@code --key=value} flags, {@code ADVRANK_*} variables and a file. */
  static SettingsSource settingsSource(String[] args, Map<String, String> env, Set<String> keys) {
    return SettingsSource.fromArgs(keys, args, env);
  }
}
