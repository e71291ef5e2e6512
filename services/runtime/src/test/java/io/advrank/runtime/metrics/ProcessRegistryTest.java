package io.advrank.runtime.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessRegistryTest {

  @Test
  void scrapesJvmAndProcessMetrics() {
    PrometheusMeterRegistry registry = ProcessRegistry.create();
    String scrape = registry.scrape();
    for (String name :
        List.of(
            "jvm_memory_used_bytes{",
            "jvm_gc_",
            "jvm_threads_live_threads ",
            "jvm_classes_loaded_classes ",
            "jvm_info{",
            "system_cpu_count ",
            "process_cpu_usage ",
            "process_uptime_seconds ",
            "process_start_time_seconds ")) {
      assertTrue(scrape.contains(name), name + " missing from the scrape");
    }
  }
}
