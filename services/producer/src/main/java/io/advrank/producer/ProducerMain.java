package io.advrank.producer;

import io.advrank.core.data.DataException;
import io.advrank.runtime.lifecycle.Shutdown;
import io.advrank.runtime.metrics.MetricsServer;
import io.advrank.runtime.settings.SettingsException;
import io.advrank.runtime.settings.SettingsSource;
import io.advrank.runtime.topic.Topics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
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
    try {
      settings = ProducerSettings.from(settingsSource(args, env, ProducerSettings.KEYS));
    } catch (SettingsException e) {
      System.err.println("advrank producer: " + e.getMessage());
      return 2;
    }
    Shutdown shutdown = Shutdown.onJvmExit();
    try {
      return serve(settings, shutdown);
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

  private static int serve(ProducerSettings settings, Shutdown shutdown)
      throws IOException, DataException, InterruptedException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (Admin admin = Admin.create(ProducerClients.admin(settings))) {
      Topics.createAll(admin, settings.kafka().replicationFactor(), Duration.ofSeconds(60));
    }
    ProducerService service =
        shutdown.register(ProducerService.create(settings, Clock.systemUTC(), registry));
    shutdown.register(MetricsServer.start(settings.metricsPort(), registry, service::health));
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

  /**
   * Flags {@code --key=value} or {@code --key value}, plus {@code --settings FILE}, layered over
   * the environment ({@code ADVRANK_*}) and the file.
   */
  static SettingsSource settingsSource(String[] args, Map<String, String> env, Set<String> keys) {
    Map<String, String> flags = new HashMap<>();
    Path file = null;
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--")) {
        throw new SettingsException("unexpected argument '" + args[i] + "': use --key=value");
      }
      String arg = args[i].substring(2);
      int eq = arg.indexOf('=');
      String key = eq >= 0 ? arg.substring(0, eq) : arg;
      if (eq < 0 && i + 1 >= args.length) {
        throw new SettingsException("flag --" + key + " needs a value");
      }
      String value = eq >= 0 ? arg.substring(eq + 1) : args[++i];
      if (key.equals("settings")) {
        file = Path.of(value);
      } else {
        flags.put(key, value);
      }
    }
    return SettingsSource.load(keys, flags, env, file);
  }
}
