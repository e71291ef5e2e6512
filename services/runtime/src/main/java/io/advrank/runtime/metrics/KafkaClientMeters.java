package io.advrank.runtime.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * A service's Kafka clients' own metrics in the process registry, through Micrometer's {@link
 * KafkaClientMetrics}: e.g. {@code kafka_producer_record_send_total}, {@code
 * kafka_consumer_fetch_manager_records_consumed_total} and {@code
 * kafka_consumer_fetch_manager_records_lag_max} (the consumer lag), each tagged with the client's
 * {@code client_id} (a few per service) and, where Kafka has them, {@code topic} and {@code
 * partition} (bounded by the topics' partitions).
 *
 * <p>Kafka registers some metrics only later (per-partition lag once partitions are assigned), so
 * the binders look for new ones every {@link #REFRESH}, on one daemon thread per service. {@link
 * #close()} removes the meters; call it before closing the clients.
 */
public final class KafkaClientMeters implements AutoCloseable {
  /** How often new Kafka metrics (e.g. of newly assigned partitions) are picked up. */
  public static final Duration REFRESH = Duration.ofSeconds(10);

  private final MeterRegistry registry;
  private final ScheduledExecutorService scheduler;
  private final List<KafkaClientMetrics> bound = new ArrayList<>();

  /** Binds nothing yet; add clients with the {@code bind} methods. */
  public KafkaClientMeters(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "advrank-kafka-meters");
              t.setDaemon(true);
              return t;
            });
  }

  /** Binds a producer's metrics; returns {@code producer}. */
  public <P extends Producer<?, ?>> P bind(P producer) {
    return add(new KafkaClientMetrics(producer, Tags.empty(), scheduler, REFRESH), producer);
  }

  /** Binds a consumer's metrics; returns {@code consumer}. */
  public <C extends Consumer<?, ?>> C bind(C consumer) {
    return add(new KafkaClientMetrics(consumer, Tags.empty(), scheduler, REFRESH), consumer);
  }

  /**
   * Binds an admin client's metrics; returns {@code admin}.
   *
   * @throws IllegalArgumentException if it is not an {@link AdminClient} (as {@link Admin#create}
   *     returns)
   */
  public <A extends Admin> A bind(A admin) {
    if (!(admin instanceof AdminClient client)) {
      throw new IllegalArgumentException("admin: not an AdminClient: " + admin.getClass());
    }
    return add(new KafkaClientMetrics(client, Tags.empty(), scheduler, REFRESH), admin);
  }

  private synchronized <T> T add(KafkaClientMetrics metrics, T client) {
    metrics.bindTo(registry);
    bound.add(metrics);
    return client;
  }

  /** Removes every bound client's meters and stops refreshing. Idempotent. */
  @Override
  public synchronized void close() {
    scheduler.shutdownNow();
    bound.forEach(KafkaClientMetrics::close);
    bound.clear();
  }
}
