package io.advrank.ranker;

import io.advrank.core.model.ModelException;
import io.advrank.runtime.lifecycle.ServiceLauncher;
import java.time.Clock;
import java.util.Map;

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
    return ServiceLauncher.of(
            "ranker", RankerSettings.KEYS, RankerSettings::from, RankerClients::admin)
        .refusing(ModelException.class)
        .run(
            args,
            env,
            (settings, launch) ->
                RankerService.create(settings, Clock.systemUTC(), launch.registry()));
  }
}
