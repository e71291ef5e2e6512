package io.advrank.runtime.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The one meter registry of a process: every {@code main} (a service alone, or the one-process
 * demo) creates it here and passes it to the services it runs, so that JVM metrics are bound once
 * per process and never twice into the same registry.
 *
 * <p>Bound here: memory pools and buffers ({@code jvm_memory_*}, {@code jvm_buffer_*}), garbage
 * collection ({@code jvm_gc_*}), threads ({@code jvm_threads_*}), class loading ({@code
 * jvm_classes_*}), JVM version ({@code jvm_info}), CPU ({@code system_cpu_*}, {@code
 * process_cpu_*}), open files ({@code process_files_*}) and uptime ({@code process_uptime_seconds},
 * {@code process_start_time_seconds}).
 */
public final class ProcessRegistry {
  private ProcessRegistry() {}

  /** A Prometheus registry with the JVM and process metrics bound. */
  public static PrometheusMeterRegistry create() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    bindJvmMetrics(registry);
    return registry;
  }

  /** Binds the JVM and process metrics to {@code registry}; call once per registry. */
  public static void bindJvmMetrics(MeterRegistry registry) {
    new JvmMemoryMetrics().bindTo(registry);
    // The GC binder listens to GC notifications for the process's lifetime; never closed.
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmInfoMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }
}
