package io.advrank.runtime.metrics;

/**
 * Tells whether a service is healthy; called on every {@code /health} request, so it must be cheap
 * (read a state, do not call the broker). A check that throws counts as down.
 */
@FunctionalInterface
public interface HealthCheck {
  /** The current health. */
  Health check();
}
