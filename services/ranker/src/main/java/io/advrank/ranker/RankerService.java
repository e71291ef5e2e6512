package io.advrank.ranker;

import io.advrank.core.detection.FeatureSqueeze;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelException;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.RankingResult;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.lifecycle.RunningService;
import io.advrank.runtime.metrics.Health;
import io.advrank.runtime.metrics.KafkaClientMeters;
import io.advrank.runtime.model.ModelFeed;
import io.advrank.runtime.model.ModelUpdate;
import io.advrank.runtime.topic.Topics;
import io.advrank.serving.CatalogMirror;
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
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The marketplace search under test: embeds the delivered catalog with the served model and answers
 * every delivered query with its top-k catalog items. It does not know which images were attacked
 * and never sees ground truth.
 *
 * <ul>
 *   <li>Input {@link Topics#CATALOG_DELIVERED} ({@code advrank.catalog.delivered}): key = catalog
 *       item id, value = {@link ImageEvent} (CATALOG_ITEM, maybe perturbed); a null value removes
 *       the item. Read <b>per instance</b>: every ranker assigns itself all partitions and reads
 *       from the beginning, because each needs the whole catalog.
 *   <li>Input {@link Topics#QUERIES_DELIVERED} ({@code advrank.queries.delivered}): key = query id,
 *       value = {@link ImageEvent} (QUERY, maybe perturbed). Read in consumer group {@code
 *       group.id}: the rankers of a group share the queries by partition.
 *   <li>Output {@link Topics#RANKINGS} ({@code advrank.rankings}): key = query id, value = {@link
 *       RankingResult} (query event id, model version, top-k item ids and distances, gallery size,
 *       ranked-at, latency).
 *   <li>Input {@link Topics#MODELS} ({@code advrank.models}): model versions, read per instance by
 *       a {@link ModelFeed}; a new version is loaded off the query path, the catalog re-embedded
 *       with it and the index switched atomically (hot swap); queries in flight finish on their
 *       version.
 *   <li>Output {@link Topics#DEAD_LETTER} ({@code advrank.dead-letter}): key/value = the original
 *       bytes of any input record that is malformed, invalid or unsupported (and of refused model
 *       versions), with reason headers.
 * </ul>
 *
 * <p>Two threads: the catalog thread (a {@link CatalogMirror}) embeds catalog items in
 * micro-batches and swaps in a rebuilt index; the query thread ({@link QueryLoop}) batches queries
 * through one embed call. Call {@link #start()}, then {@link #close()} to stop.
 */
public final class RankerService implements RunningService {
  private static final Logger LOG = LoggerFactory.getLogger(RankerService.class);
  private static final String SERVICE = "ranker";

  private final EmbeddingModel model;
  private final ModelFeed<EmbeddingModel> modelFeed;
  private final Producer<byte[], byte[]> queryProducer;
  private final Producer<byte[], byte[]> catalogProducer;
  private final KafkaClientMeters clientMeters;
  private final CatalogMirror catalog;
  private final QueryLoop queries;
  private final Thread catalogThread;
  private final Thread queryThread;
  private final CountDownLatch ready = new CountDownLatch(1);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  /**
   * A ranker serving {@code model}, which the caller keeps open until after {@link #close()}.
   * Connects its Kafka clients but reads nothing before {@link #start()}.
   */
  public RankerService(
      RankerSettings settings, EmbeddingModel model, Clock clock, MeterRegistry registry) {
    this(settings, model, false, clock, registry);
  }

  private RankerService(
      RankerSettings settings,
      EmbeddingModel model,
      boolean ownsModel,
      Clock clock,
      MeterRegistry registry) {
    this.model = Objects.requireNonNull(model, "model");
    Objects.requireNonNull(clock, "clock");
    RankerMetrics metrics = new RankerMetrics(registry);
    this.clientMeters = new KafkaClientMeters(registry);
    // Two producers: the query loop's is transactional (one transaction per batch), the catalog
    // thread's is not, and a transactional producer cannot be shared between the two threads.
    this.queryProducer =
        clientMeters.bind(
            new KafkaProducer<>(
                RankerClients.queryProducer(settings),
                new ByteArraySerializer(),
                new ByteArraySerializer()));
    this.catalogProducer =
        clientMeters.bind(
            new KafkaProducer<>(
                RankerClients.catalogProducer(settings),
                new ByteArraySerializer(),
                new ByteArraySerializer()));
    DeadLetters deadLetters = new DeadLetters(catalogProducer, SERVICE, registry);
    InboundImages images = new InboundImages(model.spec());
    FeatureSqueeze photoSqueeze = FeatureSqueeze.joint(model.spec());
    metrics.squeezeCoverage("catalog", photoSqueeze);
    this.catalog =
        CatalogMirror.builder()
            .setCatalog(
                clientMeters.bind(new KafkaConsumer<>(RankerClients.catalogConsumer(settings))),
                Topics.CATALOG_DELIVERED.name())
            .setModel(model, ownsModel)
            .setDecoder(images::catalogItem)
            .setSwapStages(metrics.swapStages)
            .setClock(clock)
            .setRebuild(settings.rebuildItems(), settings.rebuildInterval())
            .optEvents(
                new CatalogEvents(
                    deadLetters,
                    new CatalogObservations(catalogProducer, photoSqueeze),
                    metrics,
                    ready::countDown,
                    this::swapped,
                    this::fail))
            .build();
    this.modelFeed =
        ServedVersions.feed(
            SERVICE,
            settings.kafka().bootstrapServers(),
            settings.modelTrust(),
            model,
            settings.device().resolve(),
            catalog::offer,
            registry,
            clock);
    this.queries =
        new QueryLoop(
            clientMeters.bind(new KafkaConsumer<>(RankerClients.queryConsumer(settings))),
            queryProducer,
            model,
            catalog,
            new DeadLetters(queryProducer, SERVICE, registry),
            settings,
            clock,
            metrics,
            ready,
            this::fail);
    this.catalogThread = new Thread(catalog, "advrank-" + settings.rankerId() + "-catalog");
    this.queryThread = new Thread(queries, "advrank-" + settings.rankerId() + "-queries");
  }

  /** Loads the model of {@code model.dir} on the {@code device}; the service closes it. */
  public static RankerService create(RankerSettings settings, Clock clock, MeterRegistry registry)
      throws ModelException {
    EmbeddingModel model = EmbeddingModel.load(settings.modelDir(), settings.device().resolve());
    try {
      return new RankerService(settings, model, true, clock, registry);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /** Starts reading the catalog, then (once it is loaded) the queries. */
  @Override
  public void start() {
    LOG.info("ranker serving model {}", model.version());
    catalogThread.start();
    queryThread.start();
    modelFeed.start();
  }

  /** Waits until the catalog present at start-up is indexed and queries are being answered. */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Catalog items in the current search index. */
  public int catalogSize() {
    return catalog.size();
  }

  /** The version of the served model, as written into every ranking from now on. */
  public String modelVersion() {
    return catalog.modelVersion();
  }

  /** The error that stopped a loop, if any; the service is then unhealthy and should exit. */
  @Override
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure.get());
  }

  /** Up once the catalog is loaded and while no loop has failed. */
  @Override
  public Health health() {
    Throwable error = failure.get();
    if (error != null) {
      return Health.down(error.toString());
    }
    Map<String, String> details =
        Map.of("model", modelVersion(), "catalog_items", Integer.toString(catalog.size()));
    return ready.getCount() == 0
        ? new Health(true, details)
        : new Health(false, Map.of("reason", "loading catalog", "model", modelVersion()));
  }

  /** Stops the model feed and both loops, then closes the producers, the index and owned models. */
  @Override
  public void close() {
    modelFeed.close();
    queries.stop();
    catalog.stop();
    join(queryThread);
    join(catalogThread);
    clientMeters.close();
    queryProducer.close(Duration.ofSeconds(10));
    catalogProducer.close(Duration.ofSeconds(10));
    catalog.close();
  }

  private void swapped(ModelUpdate update) {
    modelFeed.served(update);
  }

  private void fail(Throwable error) {
    if (failure.compareAndSet(null, error)) {
      LOG.error("ranker failed: {}", error.toString());
    }
  }

  private static void join(Thread thread) {
    if (!thread.isAlive()) {
      return;
    }
    try {
      thread.join(Duration.ofSeconds(30).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
