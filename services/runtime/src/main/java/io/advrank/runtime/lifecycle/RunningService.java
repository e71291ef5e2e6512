package io.advrank.runtime.lifecycle;

import io.advrank.runtime.metrics.Health;
import java.util.Optional;

/**
 * What a long-running service offers the {@link ServiceLauncher} that runs it: start its threads,
 * report a fatal failure and its health, and close. Every advrank service is one.
 */
public interface RunningService extends AutoCloseable {
  /** Starts the service's threads; returns at once. */
  void start();

  /** The error that stopped the service, if one did; the launcher then exits with code 1. */
  Optional<Throwable> failure();

  /** What {@code /health} answers. */
  Health health();

  /**
   * True once the service has done all its work on its own (a producer with a bounded stream); the
   * launcher then stops it and exits 0. Most services never finish.
   */
  default boolean finished() {
    return false;
  }
}
