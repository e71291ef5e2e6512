package io.advrank.runtime.metrics;

import java.util.Map;
import java.util.Objects;

/**
 * The answer of a {@link HealthCheck}: whether the service can do its job, plus a few details for
 * the operator (e.g. {@code {"kafka": "RUNNING", "model": "v3"}}).
 *
 * @param healthy true when the service is healthy
 * @param details short facts shown in the {@code /health} JSON
 */
public record Health(boolean healthy, Map<String, String> details) {

  /** Copies the details. */
  public Health {
    details = Map.copyOf(Objects.requireNonNull(details, "details"));
  }

  /** Healthy, without details. */
  public static Health up() {
    return new Health(true, Map.of());
  }

  /** Unhealthy because of {@code reason}. */
  public static Health down(String reason) {
    return new Health(false, Map.of("reason", reason));
  }
}
