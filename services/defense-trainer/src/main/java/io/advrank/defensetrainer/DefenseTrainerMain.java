package io.advrank.defensetrainer;

import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.lifecycle.ServiceLauncher;
import java.time.Clock;
import java.util.Map;

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
    return ServiceLauncher.of(
            "defense-trainer",
            DefenseTrainerSettings.KEYS,
            DefenseTrainerSettings::from,
            s ->
                ClientProperties.admin(
                    s.kafka().bootstrapServers(), "advrank-defense-trainer-admin"))
        .run(
            args,
            env,
            (settings, launch) ->
                new DefenseTrainerService(settings, Clock.systemUTC(), launch.registry()));
  }
}
