package io.advrank.console;

import io.advrank.runtime.http.HttpAccess;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.lifecycle.Shutdown;
import io.advrank.runtime.metrics.MetricsServer;
import io.advrank.runtime.metrics.ProcessRegistry;
import io.advrank.runtime.settings.SettingsException;
import io.advrank.runtime.settings.SettingsSource;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;

/**
 * {@code ConsoleMain [--settings FILE] [--key=value ...]}: loads {@link ConsoleSettings}, serves
 * the console ({@link ConsoleService}), {@code /health} and {@code /metrics} on {@code
 * metrics.port} (default {@value ConsoleSettings#DEFAULT_METRICS_PORT}, bound as {@code http.bind}
 * says, like every service's) and prints its address until the process is stopped. Exit codes: 0
 * stopped, 1 failed, 2 bad settings.
 */
public final class ConsoleMain {
  private ConsoleMain() {}

  public static void main(String[] args) throws InterruptedException {
    System.exit(run(args, System.getenv()));
  }

  /** Runs the console until stopped; returns the exit code. */
  public static int run(String[] args, Map<String, String> env) throws InterruptedException {
    ConsoleSettings settings;
    HttpAccess http;
    int metricsPort;
    try {
      SettingsSource source = SettingsSource.fromArgs(ConsoleSettings.KEYS, args, env);
      settings = ConsoleSettings.from(source);
      http = HttpAccess.from(source);
      metricsPort = ConsoleSettings.metricsPort(source);
    } catch (SettingsException e) {
      System.err.println("advrank console: " + e.getMessage());
      return 2;
    }
    ClientProperties.useSecurity(settings.kafka().security()); // TLS / SASL, when set
    Shutdown shutdown = Shutdown.onJvmExit();
    try {
      PrometheusMeterRegistry registry = ProcessRegistry.create();
      ConsoleService console =
          shutdown.register(ConsoleService.create(settings, Clock.systemUTC(), registry));
      shutdown.register(MetricsServer.start(http, metricsPort, registry, console::health));
      console.start();
      System.err.println("advrank console: " + console.url());
      shutdown.awaitStopRequest();
      return shutdown.exitCode();
    } catch (SettingsException e) {
      System.err.println("advrank console: " + e.getMessage());
      return 2;
    } catch (IOException | RuntimeException e) {
      System.err.println("advrank console: " + e);
      return 1;
    } finally {
      shutdown.close();
    }
  }
}
