package io.advrank.producer;

import io.advrank.core.data.DataException;
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
 * {@code ProducerMain [--settings FILE] [--key=value ...]}: loads {@link ProducerSettings}, creates
 * the topics, serves {@code /metrics}, runs {@link ProducerService} until its bounded streams are
 * sent or the process is stopped. Exit codes: 0 done, 1 failed, 2 bad settings or data.
 */
public final class ProducerMain {
  private ProducerMain() {}

  public static void main(String[] args) throws InterruptedException {
    System.exit(run(args, System.getenv()));
  }

  /** Runs the service; returns the exit code. */
  public static int run(String[] args, Map<String, String> env) throws InterruptedException {
    ProducerSettings settings;
    HttpAccess http;
    try {
      SettingsSource source = settingsSource(args, env, ProducerSettings.KEYS);
      settings = ProducerSettings.from(source);
      http = HttpAccess.from(source);
    } catch (SettingsException e) {
      System.err.println("advrank producer: " + e.getMessage());
      return 2;
    }
    // Every Kafka client of this process, the model feed's included, authenticates alike.
    ClientProperties.useSecurity(settings.kafka().security());
    Shutdown shutdown = Shutdown.onJvmExit();
    try {
      return serve(settings, http, shutdown);
    } catch (SettingsException | DataException e) {
      System.err.println("advrank producer: " + e.getMessage());
      return 2;
    } catch (IOException | RuntimeException e) {
      System.err.println("advrank producer: " + e);
      return 1;
    } finally {
      shutdown.close();
    }
  }

  private static int serve(ProducerSettings settings, HttpAccess http, Shutdown shutdown)
      throws IOException, DataException, InterruptedException {
    PrometheusMeterRegistry registry = ProcessRegistry.create();
    try (Admin admin = Admin.create(ProducerClients.admin(settings))) {
      Topics.createAll(admin, settings.kafka().replicationFactor(), Duration.ofSeconds(60));
    }
    ProducerService service =
        shutdown.register(ProducerService.create(settings, Clock.systemUTC(), registry));
    shutdown.register(MetricsServer.start(http, settings.metricsPort(), registry, service::health));
    service.start();
    if (settings.queriesBounded()) {
      // Finish on our own when the streams end; Ctrl-C still stops early.
      while (!service.awaitCompletion(Duration.ofMillis(500))) {
        if (shutdown.awaitStopRequest(Duration.ZERO)) {
          break;
        }
      }
    } else {
      shutdown.awaitStopRequest();
    }
    return service.failure().isPresent() ? 1 : 0;
  }

  /** Settings from {@code --key=value} flags, {@code ADVRANK_*} variables and a file. */
  static SettingsSource settingsSource(String[] args, Map<String, String> env, Set<String> keys) {
    return SettingsSource.fromArgs(keys, args, env);
  }
}
