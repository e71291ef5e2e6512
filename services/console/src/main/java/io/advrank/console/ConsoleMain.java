package io.advrank.console;

import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.lifecycle.RunningService;
import io.advrank.runtime.lifecycle.ServiceLauncher;
import io.advrank.runtime.metrics.Health;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.settings.ServiceSettings;
import io.advrank.runtime.settings.SettingsException;
import io.advrank.runtime.settings.SettingsSource;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * {@code ConsoleMain [--settings FILE] [--key=value ...]}: loads {@link ConsoleSettings}, serves
 * the console ({@link ConsoleService}), {@code /health} and {@code /metrics} on {@code
 * metrics.port} (default {@value ConsoleSettings#DEFAULT_METRICS_PORT}, bound as {@code http.bind}
 * says, like every service's) and prints its address until the process is stopped. Exit codes: 0
 * stopped, 1 failed, 2 bad settings.
 */
public final class ConsoleMain {
  private ConsoleMain() {}

  /** The console's settings and the port of its {@code /metrics} and {@code /health}. */
  private record Served(ConsoleSettings console, int metricsPort) implements ServiceSettings {
    static Served from(SettingsSource source) throws SettingsException {
      return new Served(ConsoleSettings.from(source), ConsoleSettings.metricsPort(source));
    }

    @Override
    public KafkaSettings kafka() {
      return console.kafka();
    }
  }

  /**
   * The console as the launcher runs it: prints its address once started, and a stopped Kafka feed
   * shows as DOWN on {@code /health} while the page keeps serving what it has (no exit).
   */
  private record Announced(ConsoleService console) implements RunningService {
    @Override
    public void start() {
      console.start();
      System.err.println("advrank console: " + console.url());
    }

    @Override
    public Optional<Throwable> failure() {
      return Optional.empty();
    }

    @Override
    public Health health() {
      return console.health();
    }

    @Override
    public void close() throws InterruptedException {
      console.close();
    }
  }

  public static void main(String[] args) throws InterruptedException {
    System.exit(run(args, System.getenv()));
  }

  /** Runs the console until stopped; returns the exit code. */
  public static int run(String[] args, Map<String, String> env) throws InterruptedException {
    return ServiceLauncher.of(
            "console",
            ConsoleSettings.KEYS,
            Served::from,
            s -> ClientProperties.admin(s.kafka().bootstrapServers(), "advrank-console-admin"))
        .withoutTopics()
        .run(
            args,
            env,
            (settings, launch) ->
                new Announced(
                    ConsoleService.create(
                        settings.console(), Clock.systemUTC(), launch.registry())));
  }
}
