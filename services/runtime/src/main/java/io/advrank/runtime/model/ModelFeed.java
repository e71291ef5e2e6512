package io.advrank.runtime.model;

import io.advrank.proto.v1.ModelVersion;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.topic.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's background reader of {@code advrank.models}: reassembles versions ({@link
 * ModelAssembler}), decides which to serve, loads it off the service's hot path with the service's
 * {@link Loader} (which checks architecture and input shape) and hands the loaded model to the
 * service's {@link Listener}, which switches to it when ready and then calls {@link #served}.
 *
 * <p>Policy: the newest version by {@code created_at_ms} is served; a version older than the newest
 * served is refused unless an activation record (a rollback) names it. Truncated, tampered, badly
 * signed (with {@link ModelTrust trusted keys}), incompatible or unloadable versions are refused:
 * the service keeps its model, the offending record is dead-lettered with the reason and {@code
 * advrank_model_refused_total{service,reason}} counts it. At start the whole topic is replayed (it
 * is compacted) and only the version chosen at its end is loaded. Meters: {@code
 * advrank_model_version_info{service,model_version}} (one series, value 1, for the version in use),
 * {@code advrank_model_swaps_total{service}}, {@code advrank_model_swap_latency_seconds{service}}
 * (from publication to serving), and the {@code transfer} and {@code load} stages of {@link
 * SwapStages} (the service times the rest).
 *
 * <ul>
 *   <li>Input {@link Topics#MODELS}: read per instance, no group, from the beginning.
 *   <li>Output {@link Topics#DEAD_LETTER}: the record that completed a refused version.
 * </ul>
 *
 * @param <M> the service's loaded model type
 */
public final class ModelFeed<M> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelFeed.class);
  private static final Duration POLL = Duration.ofMillis(100);

  /** Loads a version for the service, refusing one it cannot serve. */
  public interface Loader<M> {
    M load(AssembledModel model) throws ModelRefusedException;
  }

  /** Takes over a loaded model (closing it if it never uses it) and switches to it when ready. */
  public interface Listener<M> {
    void accept(M model, ModelUpdate update);
  }

  /**
   * The feed's Kafka clients, which it owns from construction and closes in {@link #close()}: a
   * consumer it assigns to {@code advrank.models} itself (no group), and a producer for dead
   * letters. {@link #clients} builds the real ones; tests pass Kafka's mock clients.
   */
  public record Clients(Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> producer) {
    public Clients {
      Objects.requireNonNull(consumer, "consumer");
      Objects.requireNonNull(producer, "producer");
    }
  }

  /** The real clients of {@code service}'s feed, connecting to {@code bootstrapServers}. */
  public static Clients clients(String bootstrapServers, String service) {
    Objects.requireNonNull(service, "service");
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(consumerProps(bootstrapServers, service));
    try {
      return new Clients(consumer, new KafkaProducer<>(producerProps(bootstrapServers, service)));
    } catch (RuntimeException e) {
      consumer.close();
      throw e;
    }
  }

  private final String service;
  private final Consumer<byte[], byte[]> consumer;
  private final Producer<byte[], byte[]> producer;
  private final DeadLetters deadLetters;
  private final Loader<M> loader;
  private final Listener<M> listener;
  private final MeterRegistry registry;
  private final Clock clock;
  private final ModelAssembler assembler;
  private final SwapStages stages;
  private Gauge versionInfo;
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean running = true;
  private String selected; // the version handed over last (or chosen, while replaying)
  private String serving; // the version handed over last
  private long newestAt;
  private String newestVersion;
  private ModelUpdate deferred;
  private ConsumerRecord<byte[], byte[]> deferredRecord;

  /**
   * A feed for {@code service} (e.g. {@code ranker}), which serves {@code initialVersion} created
   * at {@code initialCreatedAtMs} until told otherwise, reading and dead-lettering through {@code
   * clients} (which it closes). Nothing is read before {@link #start()}.
   */
  public ModelFeed(
      String service,
      Clients clients,
      String initialVersion,
      long initialCreatedAtMs,
      Loader<M> loader,
      Listener<M> listener,
      MeterRegistry registry,
      Clock clock) {
    this(
        service,
        clients,
        initialVersion,
        initialCreatedAtMs,
        ModelTrust.NONE,
        loader,
        listener,
        registry,
        clock);
  }

  /**
   * A feed that serves only versions {@code trust} accepts (see {@link ModelTrust}); otherwise as
   * above.
   */
  public ModelFeed(
      String service,
      Clients clients,
      String initialVersion,
      long initialCreatedAtMs,
      ModelTrust trust,
      Loader<M> loader,
      Listener<M> listener,
      MeterRegistry registry,
      Clock clock) {
    this.assembler = new ModelAssembler(Objects.requireNonNull(trust, "trust"));
    if (!trust.enforced()) {
      LOG.warn(
          "{}: model signatures are not checked; set models.trusted-keys to refuse unsigned"
              + " versions",
          service);
    }
    this.service = Objects.requireNonNull(service, "service");
    this.loader = Objects.requireNonNull(loader, "loader");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.stages = new SwapStages(registry, service);
    this.selected = initialVersion;
    this.serving = initialVersion;
    this.newestVersion = initialVersion;
    this.newestAt = initialCreatedAtMs;
    this.consumer = Objects.requireNonNull(clients, "clients").consumer();
    this.producer = clients.producer();
    this.deadLetters = new DeadLetters(producer, service, registry);
    this.thread = new Thread(this::run, "advrank-" + service + "-models");
    this.thread.setDaemon(true);
    markServed(initialVersion);
  }

  /** Starts reading in the background. */
  public void start() {
    thread.start();
  }

  /** Waits until the history present at start is read (and its chosen version handed over). */
  public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
    return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The service calls this once it serves {@code update}'s version: meters and latency. */
  public void served(ModelUpdate update) {
    markServed(update.version());
    Counter.builder("advrank.model.swaps")
        .description("Model versions switched to")
        .tag("service", service)
        .register(registry)
        .increment();
    if (update.live()) {
      Timer.builder("advrank.model.swap.latency")
          .description("From a version's publication (or rollback) to this service serving it")
          .tag("service", service)
          .publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofMillis(10))
          .maximumExpectedValue(Duration.ofMinutes(1))
          .register(registry)
          .record(Duration.ofMillis(Math.max(0, clock.millis() - update.requestedAtMs())));
    }
    LOG.info("{} serves model {}", service, update.version());
  }

  /**
   * The info-metric idiom: one series, value 1, whose label names the version served. The series of
   * the previous version is removed rather than set to 0, because the Prometheus registry exposes
   * any {@code *_info} gauge as an info metric whose value is always 1.
   */
  private synchronized void markServed(String version) {
    if (versionInfo != null) {
      registry.remove(versionInfo);
    }
    versionInfo =
        Gauge.builder("advrank.model.version.info", () -> 1)
            .description("1 for the model version this service serves")
            .tag("service", service)
            .tag("model_version", version)
            .register(registry);
  }

  private void run() {
    try {
      TopicPartition partition = new TopicPartition(Topics.MODELS.name(), 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      boolean catchingUp = true;
      while (running) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
          handle(r, !catchingUp);
        }
        if (catchingUp && consumer.position(partition) >= end) {
          catchingUp = false;
          applyDeferred();
          caughtUp.countDown();
        }
      }
    } catch (WakeupException e) {
      // close() woke us up
    } catch (RuntimeException e) {
      LOG.error("{}: reading {} stopped: {}", service, Topics.MODELS, e.toString());
    } finally {
      caughtUp.countDown();
    }
  }

  /** At the end of the replay: loads the version chosen from the history, unless served already. */
  private void applyDeferred() {
    if (deferred != null && !deferred.version().equals(serving)) {
      apply(new ModelUpdate(deferred.source(), deferred.rollback(), 0, false), deferredRecord);
    }
    deferred = null;
    deferredRecord = null;
  }

  private void handle(ConsumerRecord<byte[], byte[]> r, boolean live) {
    String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
    ModelVersion value;
    try {
      value =
          r.value() == null
              ? null
              : Topics.MODELS
                  .valueSerde()
                  .deserializer()
                  .deserialize(r.topic(), r.headers(), r.value());
    } catch (RuntimeException e) {
      refuse(r, key, Refusal.MALFORMED, e.getMessage());
      return;
    }
    for (ModelAssembler.Event event : assembler.feed(key, value)) {
      if (event instanceof ModelAssembler.Complete c) {
        offer(c.model(), false, c.model().createdAtMs(), r, live);
      } else if (event instanceof ModelAssembler.Activate a) {
        offer(a.model(), true, a.requestedAtMs(), r, live);
      } else if (event instanceof ModelAssembler.Refused f) {
        refuse(r, f.version(), f.refusal(), f.detail());
      }
    }
  }

  private void offer(
      AssembledModel model,
      boolean activation,
      long requestedAtMs,
      ConsumerRecord<byte[], byte[]> r,
      boolean live) {
    if (model.version().equals(selected)) {
      return; // a repeat of the version in use
    }
    boolean newer = model.newerThan(newestAt, newestVersion);
    if (!activation && !newer) {
      if (live) {
        refuse(
            r,
            model.version(),
            Refusal.OLDER,
            "created before "
                + newestVersion
                + "; roll back with an activation record (advrank models rollback)");
      }
      return; // history at start: superseded, not an error
    }
    ModelUpdate update = new ModelUpdate(model, activation, requestedAtMs, live);
    if (!live) {
      deferred = update;
      deferredRecord = r;
      select(model, newer);
      return;
    }
    apply(update, r);
  }

  private void apply(ModelUpdate update, ConsumerRecord<byte[], byte[]> r) {
    AssembledModel model = update.source();
    if (update.live() && !update.rollback()) {
      stages.record(
          SwapStages.Stage.TRANSFER,
          Duration.ofMillis(clock.millis() - update.requestedAtMs()).toNanos());
    }
    try {
      long loadStart = System.nanoTime();
      M loaded = loader.load(model);
      stages.record(SwapStages.Stage.LOAD, System.nanoTime() - loadStart);
      select(model, model.newerThan(newestAt, newestVersion));
      serving = model.version();
      listener.accept(loaded, update);
    } catch (ModelRefusedException e) {
      selected = serving;
      refuse(r, model.version(), e.refusal(), e.getMessage());
    } catch (RuntimeException e) {
      selected = serving;
      refuse(r, model.version(), Refusal.LOAD_FAILED, e.toString());
    }
  }

  private void select(AssembledModel model, boolean newer) {
    selected = model.version();
    if (newer) {
      newestAt = model.createdAtMs();
      newestVersion = model.version();
    }
  }

  private void refuse(
      ConsumerRecord<byte[], byte[]> r, String version, Refusal refusal, String detail) {
    LOG.warn("{} refuses model {} ({}): {}", service, version, refusal.label(), detail);
    Counter.builder("advrank.model.refused")
        .description("Model versions (or records) refused, by reason")
        .tag("service", service)
        .tag("reason", refusal.label())
        .register(registry)
        .increment();
    deadLetters.publish(
        r, refusal.deadLetterReason(), new ModelRefusedException(refusal, version + ": " + detail));
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(Duration.ofSeconds(30).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!thread.isAlive()) {
      consumer.close();
    }
    producer.close(Duration.ofSeconds(5));
  }

  private static Properties consumerProps(String bootstrap, String service) {
    Properties p = ClientProperties.byteConsumer(bootstrap, "advrank-" + service + "-models", true);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return p;
  }

  private static Properties producerProps(String bootstrap, String service) {
    return ClientProperties.idempotentProducer(bootstrap, "advrank-" + service + "-models-dlq");
  }
}
