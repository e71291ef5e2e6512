package io.advrank.attackworker;

import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelException;
import io.advrank.proto.v1.AdversarialVariant;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.RankShift;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.lifecycle.RunningService;
import io.advrank.runtime.metrics.Health;
import io.advrank.runtime.metrics.KafkaClientMeters;
import io.advrank.runtime.model.ModelFeed;
import io.advrank.runtime.model.ModelUpdate;
import io.advrank.runtime.model.SwapStages;
import io.advrank.runtime.topic.Topics;
import io.advrank.serving.CatalogMirror;
import io.advrank.serving.MirrorEvents;
import io.advrank.serving.ServedVersions;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The adversary of the staging marketplace: a malicious seller perturbing catalog photos (CA±) and
 * a man in the middle hijacking shoppers' queries (QA±, SP-QA±), as a {@link Campaign} says.
 *
 * <ul>
 *   <li>Input {@link Topics#CATALOG} ({@code advrank.catalog}) and {@link Topics#QUERIES} ({@code
 *       advrank.queries}): key = item or query id, value = {@link ImageEvent}. Read in consumer
 *       group {@code group.id}, {@code read_committed}. The catalog is also read per instance, all
 *       partitions from the beginning, as the attack gallery ({@link CatalogMirror}).
 *   <li>Output {@link Topics#CATALOG_DELIVERED} / {@link Topics#QUERIES_DELIVERED}: the same key;
 *       benign events byte for byte (plus the header {@value OutputRecords#FORWARDED_FROM}),
 *       attacked ones as an {@link ImageEvent} with the same ids and 8-bit pixels at the model's
 *       input, within ε (L∞, in whole 8-bit steps) of the original as the model saw it; the rank
 *       shift is measured on those 8-bit pixels.
 *   <li>Output {@link Topics#ADVERSARIAL} ({@code advrank.adversarial}): key = attacked item or
 *       query id, value = {@link AdversarialVariant} (ground truth).
 *   <li>Output {@link Topics#RANK_SHIFTS} ({@code advrank.rank-shifts}): key = attacked item or
 *       query id, value = {@link RankShift} (rank percentile before/after, targets, success).
 *   <li>Input {@link Topics#MODELS} ({@code advrank.models}): model versions, read per instance by
 *       a {@link ModelFeed} and loaded off the worker thread; between two micro-batches the gallery
 *       is re-embedded with a new version and attacks switch to it (hot swap). Every variant, rank
 *       shift and model-dependent metric carries the version it was produced with.
 *   <li>Output {@link Topics#DEAD_LETTER}: original bytes of malformed, invalid or unsupported
 *       input, of events whose attack failed, and of refused model versions, with reason headers.
 * </ul>
 *
 * <p>Exactly once ({@link WorkerLoop}): benign events are forwarded at once, outside transactions,
 * each tagged with its input position so that a successor after a crash skips what was already
 * forwarded ({@link RecoveryScan}); every attack micro-batch is one Kafka transaction that also
 * commits its input offsets. One thread does everything (gallery, PGD, Kafka), because only one
 * gradient collector may be open per JVM. Call {@link #start()}, then {@link #close()}.
 */
public final class AttackWorkerService implements RunningService {
  private static final Logger LOG = LoggerFactory.getLogger(AttackWorkerService.class);
  private static final String SERVICE = "attack-worker";
  private static final Duration RECOVERY_SCAN_TIMEOUT = Duration.ofSeconds(60);

  private final EmbeddingModel model;
  private final boolean ownsModel;
  private final Producer<byte[], byte[]> producer;
  private final Forwarder forwarder;
  private final Consumer<byte[], byte[]> workConsumer;
  private final Consumer<byte[], byte[]> scanConsumer;
  private final KafkaClientMeters clientMeters;
  private final CatalogMirror gallery;
  private final ModelFeed<EmbeddingModel> modelFeed;
  private final WorkerLoop loop;
  private final Thread thread;
  private final String campaign;
  private final CountDownLatch ready = new CountDownLatch(1);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile String modelVersionNow;

  /**
   * A worker over the given clients, which it takes over and closes; the caller keeps {@code model}
   * open until after {@link #close()}. Tests pass their own producers (e.g. ones that crash). The
   * clients' properties are {@link AttackWorkerClients}'s: {@code workConsumer} in the group,
   * {@code galleryConsumer} and {@code scanConsumer} without one ({@link RecoveryScan} reads the
   * delivered topics {@code read_uncommitted}).
   */
  public AttackWorkerService(
      AttackWorkerSettings settings,
      EmbeddingModel model,
      Consumer<byte[], byte[]> workConsumer,
      Consumer<byte[], byte[]> galleryConsumer,
      Consumer<byte[], byte[]> scanConsumer,
      Producer<byte[], byte[]> transactionalProducer,
      Producer<byte[], byte[]> forwardProducer,
      Clock clock,
      MeterRegistry registry) {
    this(
        settings,
        model,
        false,
        workConsumer,
        galleryConsumer,
        scanConsumer,
        transactionalProducer,
        forwardProducer,
        clock,
        registry);
  }

  private AttackWorkerService(
      AttackWorkerSettings settings,
      EmbeddingModel model,
      boolean ownsModel,
      Consumer<byte[], byte[]> workConsumer,
      Consumer<byte[], byte[]> galleryConsumer,
      Consumer<byte[], byte[]> scanConsumer,
      Producer<byte[], byte[]> producer,
      Producer<byte[], byte[]> forwardProducer,
      Clock clock,
      MeterRegistry registry) {
    this.model = Objects.requireNonNull(model, "model");
    this.ownsModel = ownsModel;
    this.modelVersionNow = model.version();
    this.producer = Objects.requireNonNull(producer, "producer");
    this.workConsumer = Objects.requireNonNull(workConsumer, "workConsumer");
    Objects.requireNonNull(clock, "clock");
    this.campaign = settings.campaign().describe();
    this.clientMeters = new KafkaClientMeters(registry);
    this.scanConsumer = Objects.requireNonNull(scanConsumer, "scanConsumer");
    ForwardPositions positions = new ForwardPositions();
    this.forwarder =
        new Forwarder(Objects.requireNonNull(forwardProducer, "forwardProducer"), positions);
    clientMeters.bind(producer);
    clientMeters.bind(forwardProducer);
    clientMeters.bind(workConsumer);
    clientMeters.bind(galleryConsumer);
    InboundEvents inbound = new InboundEvents(model.spec(), settings.maxEventBytes());
    this.gallery =
        CatalogMirror.builder()
            .setCatalog(galleryConsumer, Topics.CATALOG.name())
            .setModel(model, false)
            .setDecoder(r -> inbound.galleryItem(r, clock.millis()))
            .setSwapStages(new SwapStages(registry, SERVICE))
            .setClock(clock)
            .setRebuild(settings.galleryRebuildItems(), settings.galleryRebuildInterval())
            // A gallery row's place decides tie-breaking and sampled targets: a re-upload is a new
            // row, and every snapshot carries the attacker over its rows.
            .optReuploadsLast(true)
            .optAttacker(true)
            .optEvents(
                new MirrorEvents() {
                  // Records that are not usable images are no part of the gallery; the work loop,
                  // which reads the same topic in its group, dead-letters them.
                  @Override
                  public void swapped(ModelUpdate update) {
                    AttackWorkerService.this.swapped(update);
                  }
                })
            .build();
    this.modelFeed =
        ServedVersions.feed(
            SERVICE,
            settings.kafka().bootstrapServers(),
            settings.modelTrust(),
            model,
            model.device(),
            gallery::offer,
            registry,
            clock);
    AttackWorkerMetrics metrics = new AttackWorkerMetrics(registry, gallery::modelVersion);
    MicroBatch transform =
        new MicroBatch(
            inbound,
            settings.campaign(),
            new BatchAttacks(settings.campaign(), clock),
            new OutputRecords(gallery::modelVersion, settings.campaign(), model.spec()),
            metrics,
            clock);
    this.loop =
        new WorkerLoop(
            new WorkerLoop.Clients(
                workConsumer,
                producer,
                new DeadLetters(producer, SERVICE, registry),
                forwarder,
                new RecoveryScan(scanConsumer, RECOVERY_SCAN_TIMEOUT)),
            positions,
            gallery,
            transform,
            metrics,
            settings,
            clock,
            ready::countDown,
            this::fail);
    this.thread = new Thread(loop, "advrank-" + settings.workerId());
  }

  /** Loads the model of {@code model.dir} on the chosen device and connects the Kafka clients. */
  public static AttackWorkerService create(
      AttackWorkerSettings settings, Clock clock, MeterRegistry registry) throws ModelException {
    // Before anything is read or written: no attack traffic outside the staging cluster.
    try (Admin admin = Admin.create(AttackWorkerClients.admin(settings))) {
      settings.fence().verify(admin, Duration.ofSeconds(60));
    }
    EmbeddingModel model = EmbeddingModel.load(settings.modelDir(), settings.device().resolve());
    try {
      return new AttackWorkerService(
          settings,
          model,
          true,
          new KafkaConsumer<>(AttackWorkerClients.workConsumer(settings)),
          new KafkaConsumer<>(AttackWorkerClients.galleryConsumer(settings)),
          new KafkaConsumer<>(AttackWorkerClients.scanConsumer(settings)),
          new KafkaProducer<>(AttackWorkerClients.producer(settings)),
          new KafkaProducer<>(AttackWorkerClients.forwardProducer(settings)),
          clock,
          registry);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /** Reads the existing catalog as the gallery, then starts attacking traffic. */
  @Override
  public void start() {
    LOG.info("attack-worker on model {}: {}", model.version(), campaign);
    thread.start();
    modelFeed.start();
  }

  /** The model version attacks run with now (it changes on a hot swap). */
  public String modelVersion() {
    return modelVersionNow;
  }

  private void swapped(ModelUpdate update) {
    modelFeed.served(update); // the metric first: whoever sees modelVersion() change sees it too
    modelVersionNow = update.version();
  }

  /** Waits until the gallery is loaded and traffic is being read. */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The error that stopped the worker, if any; the service is then unhealthy and should exit. */
  @Override
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure.get());
  }

  /** Up once the gallery is loaded and while the loop has not failed. */
  @Override
  public Health health() {
    Throwable error = failure.get();
    if (error != null) {
      return Health.down(error.toString());
    }
    return ready.getCount() == 0
        ? new Health(true, Map.of("model", modelVersionNow, "campaign", campaign))
        : new Health(false, Map.of("reason", "loading gallery", "model", modelVersionNow));
  }

  /** Stops the loop (uncommitted work is redone by the next owner), then closes everything. */
  @Override
  public void close() {
    modelFeed.close();
    loop.stop();
    if (thread.isAlive()) {
      try {
        thread.join(Duration.ofSeconds(60).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    clientMeters.close();
    closeQuietly(workConsumer);
    closeQuietly(scanConsumer);
    closeQuietly(forwarder);
    closeQuietly(gallery);
    closeQuietly(() -> producer.close(Duration.ofSeconds(10)));
    if (ownsModel) {
      model.close();
    }
  }

  private void fail(Throwable error) {
    if (failure.compareAndSet(null, error)) {
      LOG.error("attack-worker failed: {}", error.toString());
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      LOG.warn("closing: {}", e.toString());
    }
  }
}
