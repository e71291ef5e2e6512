package io.advrank.runtime.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;

/**
 * The model version a service uses now, as the info metric {@code
 * advrank_model_version_info{service,model_version} 1}: one series per service, whose {@code
 * model_version} label moves to the new version when the model is swapped ({@link #set}). Meters
 * that depend on the model read {@link #current()} for their own {@code model_version} tag.
 * Versions are few (one per published model), so the label stays bounded.
 */
public final class ModelVersionInfo {
  /** The Micrometer name; Prometheus: {@code advrank_model_version_info}. */
  public static final String NAME = "advrank.model.version.info";

  /** The tag naming the model version, on every model-dependent meter. */
  public static final String TAG = "model_version";

  private final MeterRegistry registry;
  private final String service;
  private volatile String current;
  private Meter gauge;

  /**
   * @param service the service's name, e.g. {@code ranker}
   * @param version the version in use at start
   */
  public ModelVersionInfo(MeterRegistry registry, String service, String version) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.service = Objects.requireNonNull(service, "service");
    set(version);
  }

  /** The version in use. */
  public String current() {
    return current;
  }

  /** Switches to {@code version}: the old version's series goes, the new one reads 1. */
  public synchronized void set(String version) {
    Objects.requireNonNull(version, "version");
    if (version.equals(current)) {
      return;
    }
    if (gauge != null) {
      registry.remove(gauge);
    }
    // The info-metric idiom: a constant 1 whose labels carry the value.
    gauge =
        Gauge.builder(NAME, () -> 1)
            .description("The model version a service uses (1 for the version in use)")
            .tag("service", service)
            .tag(TAG, version)
            .register(registry);
    current = version;
  }
}
