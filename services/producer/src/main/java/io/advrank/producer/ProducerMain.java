package io.advrank.producer;

import io.advrank.core.data.DataException;
import io.advrank.runtime.lifecycle.ServiceLauncher;
import java.time.Clock;
import java.util.Map;

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

  /** Runs the service until stopped; returns the exit code. */
  public static int run(String[] args, Map<String, String> env) throws InterruptedException {
    return ServiceLauncher.of(
            "producer", ProducerSettings.KEYS, ProducerSettings::from, ProducerClients::admin)
        .refusing(DataException.class)
        .run(
            args,
            env,
            (settings, launch) ->
                ProducerService.create(settings, Clock.systemUTC(), launch.registry()));
  }
}
