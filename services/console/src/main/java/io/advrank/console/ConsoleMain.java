package io.advrank.console;

import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.lifecycle.Shutdown;
import io.advrank.runtime.metrics.ProcessRegistry;
import io.advrank.runtime.settings.SettingsException;
import io.advrank.runtime.settings.SettingsSource;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;

/**
 * {@code ConsoleMain [--settings FILE] [--key=value ...]}: loads {@link ConsoleSettings}, serves
 * the console ({@link ConsoleService}) and prints its address until the process is stopped. Exit
 * codes: 0 stopped, 1 failed, 2 bad settings.
 */
public final class ConsoleMain {
  private ConsoleMain() {}

  public static void main(String[] args) throws InterruptedException {
    System.exit(run(args, System.getenv()));
  }

  /** Runs the console until stopped; returns the exit code. */
  public static int run(String[] args, Map<String, String> env) throws InterruptedException {
    ConsoleSettings settings;
    try {
      settings = ConsoleSettings.from(SettingsSource.fromArgs(ConsoleSettings.KEYS, args, env));
    } catch (SettingsException e) {
      System.err.println("advrank console: " + e.getMessage());
      return 2;
    }
    ClientProperties.useSecurity(settings.kafka().security()); // TLS / SASL, when set
    Shutdown shutdown = Shutdown.onJvmExit();
    try {
      ConsoleService console =
          shutdown.register(
              ConsoleService.create(settings, Clock.systemUTC(), ProcessRegistry.create()));
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
