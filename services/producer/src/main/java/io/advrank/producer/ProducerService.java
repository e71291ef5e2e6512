package io.advrank.producer;

import io.advrank.core.data.DataException;
import io.advrank.core.data.ImageDataset;
import io.advrank.producer.Schedule.Slot;
import io.advrank.producer.Schedule.Stream;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.runtime.lifecycle.RunningService;
import io.advrank.runtime.metrics.Health;
import io.advrank.runtime.metrics.KafkaClientMeters;
import io.advrank.runtime.settings.SettingsException;
import io.advrank.runtime.topic.Topic;
import io.advrank.runtime.topic.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The marketplace's traffic source: publishes a data set's test split as catalog items and draws
 * shopper queries from the same split with a seeded {@link Random}, at configured rates.
 *
 * <ul>
 *   <li>Output {@link Topics#CATALOG} ({@code advrank.catalog}): key = catalog item id ({@code
 *       item-<index>}), value = {@link ImageEvent} of kind CATALOG_ITEM, pixels ({@link
 *       ImageEncoding}: a photo folder's files as they are, or 8-bit pixels), label.
 *   <li>Output {@link Topics#QUERIES} ({@code advrank.queries}): key = query id ({@code
 *       q-<seed>-<n>}), value = {@link ImageEvent} of kind QUERY, pixels as above, label.
 *   <li>Input: none (the data set directory).
 * </ul>
 *
 * <p>An event over Kafka's message limit ({@link ProducerClients#MAX_REQUEST_BYTES}, e.g. a photo
 * file of several MB) or whose file cannot be read is skipped with one log line naming the file,
 * and counted in {@code advrank_events_refused_total{topic,reason}}; the stream goes on.
 *
 * <p>One background thread follows a {@link Schedule}; {@code produced_at_ms} comes from the
 * injected {@link Clock} and waiting goes through the injected {@link Sleeper}, so tests can run
 * the schedule on a fake clock. Metric: {@code advrank_events_produced_total{topic}}, counted when
 * the broker acknowledges an event, plus the Kafka producer's own metrics ({@code
 * kafka_producer_*}, see {@link KafkaClientMeters}).
 */
public final class ProducerService implements RunningService {
  private static final Logger LOG = LoggerFactory.getLogger(ProducerService.class);
  private static final String SPLIT = "test";

  /** Waits for a number of milliseconds; {@code Thread::sleep} outside tests. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(long millis) throws InterruptedException;
  }

  private final ProducerSettings settings;
  private final Uploads data;
  private final String dataName;
  private final Producer<String, ImageEvent> producer;
  private final KafkaClientMeters clientMeters;
  private final Clock clock;
  private final Sleeper sleeper;
  private final ImageEvents events;
  private final int catalogTotal;
  private final Map<Stream, Counter> produced;
  private final SendCheck sendCheck;
  private final Thread thread;
  private final CountDownLatch finished = new CountDownLatch(1);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile Schedule schedule;
  private volatile boolean stopping;

  /**
   * A service over an already loaded test split and a producer the service takes over (closed by
   * {@link #close()}); tests pass a {@code MockProducer} and a fake clock.
   *
   * @throws SettingsException if {@code query.held-out} leaves no image to query
   */
  public ProducerService(
      ProducerSettings settings,
      ImageDataset testSplit,
      Producer<String, ImageEvent> producer,
      Clock clock,
      Sleeper sleeper,
      MeterRegistry registry) {
    this(
        settings,
        Uploads.of(
            Objects.requireNonNull(testSplit, "testSplit"),
            settings.imageEncoding() == ImageEncoding.PNG ? ImageEncoding.PNG : ImageEncoding.RAW),
        testSplit.name(),
        producer,
        clock,
        sleeper,
        registry);
  }

  /** A service over the images to send, described by {@code dataName} in logs. */
  ProducerService(
      ProducerSettings settings,
      Uploads uploads,
      String dataName,
      Producer<String, ImageEvent> producer,
      Clock clock,
      Sleeper sleeper,
      MeterRegistry registry) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.data = Objects.requireNonNull(uploads, "uploads");
    this.dataName = dataName;
    this.sendCheck = new SendCheck(registry, settings.imageShape());
    this.producer = Objects.requireNonNull(producer, "producer");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    int limit = settings.catalogLimit();
    this.catalogTotal = limit == 0 ? data.size() : Math.min(limit, data.size());
    if (settings.queryHeldOut() && catalogTotal >= data.size()) {
      throw new SettingsException(
          "setting '%s' needs test images outside the catalog, but '%s' covers all %d"
              .formatted(
                  ProducerSettings.QUERY_HELD_OUT.key(),
                  ProducerSettings.CATALOG_LIMIT.key(),
                  data.size()));
    }
    String dataset = String.valueOf(settings.dataDir().toAbsolutePath().normalize().getFileName());
    this.events = new ImageEvents(data, dataset, SPLIT, settings.producerId(), settings.seed());
    this.produced =
        Map.of(
            Stream.CATALOG, counter(registry, Topics.CATALOG),
            Stream.QUERIES, counter(registry, Topics.QUERIES));
    this.clientMeters = new KafkaClientMeters(registry);
    clientMeters.bind(producer);
    this.thread = new Thread(this::run, "advrank-" + settings.producerId());
  }

  /**
   * Loads the data set's test split (a photo folder with {@link ImageEncoding#SOURCE}: lists its
   * files only) and connects a Kafka producer; does not start sending.
   */
  public static ProducerService create(
      ProducerSettings settings, Clock clock, MeterRegistry registry) throws DataException {
    Uploads.Loaded images = Uploads.load(settings);
    KafkaProducer<String, ImageEvent> producer =
        new KafkaProducer<>(
            ProducerClients.producer(settings),
            Topics.CATALOG.keySerde().serializer(),
            Topics.CATALOG.valueSerde().serializer());
    return new ProducerService(
        settings, images.uploads(), images.name(), producer, clock, Thread::sleep, registry);
  }

  /** Starts sending in the background. */
  @Override
  public void start() {
    LOG.info(
        "producing {} catalog items and queries at {}/s from {} ({} images)",
        catalogTotal,
        settings.queryRate(),
        dataName,
        data.size());
    thread.start();
  }

  /**
   * Waits until every bounded stream has been sent and acknowledged (or sending failed).
   *
   * @return true if finished within {@code timeout}
   */
  public boolean awaitCompletion(Duration timeout) throws InterruptedException {
    return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** True once every stream has been sent, when the queries are bounded (else never). */
  @Override
  public boolean finished() {
    return settings.queriesBounded() && finished.getCount() == 0;
  }

  /** The error that stopped sending, if any. */
  @Override
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure.get());
  }

  /** Catalog items this run publishes. */
  public int catalogSize() {
    return catalogTotal;
  }

  /** Healthy while sending (or done) without errors; details count what was sent. */
  @Override
  public Health health() {
    Schedule s = schedule;
    Map<String, String> details =
        Map.of(
            "catalog_sent", s == null ? "0" : Integer.toString(s.catalogSent()),
            "queries_sent", s == null ? "0" : Long.toString(s.queriesSent()),
            "skipped", Long.toString(sendCheck.skipped()),
            "state", finished.getCount() == 0 ? "finished" : "running");
    Throwable error = failure.get();
    return error == null ? new Health(true, details) : Health.down(error.toString());
  }

  /** Stops sending, flushes what was sent and closes the producer. Idempotent. */
  @Override
  public void close() {
    stopping = true;
    thread.interrupt();
    try {
      thread.join(Duration.ofSeconds(30).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    clientMeters.close();
    producer.close(Duration.ofSeconds(10));
  }

  private void run() {
    Schedule plan = new Schedule(settings, catalogTotal, clock.millis());
    schedule = plan;
    int queryFrom = settings.queryHeldOut() ? catalogTotal : 0;
    Random random = new Random(settings.seed());
    try {
      Optional<Slot> slot;
      while (!stopping && failure.get() == null && (slot = plan.next(clock.millis())).isPresent()) {
        long wait = slot.get().dueMillis() - clock.millis();
        if (wait > 0) {
          sleeper.sleep(wait);
          continue;
        }
        Stream stream = slot.get().stream();
        long now = clock.millis();
        int index =
            stream == Stream.CATALOG ? plan.catalogSent() : random.nextInt(queryFrom, data.size());
        long sequence = plan.queriesSent();
        Optional<ImageEvent> event =
            sendCheck.check(
                topic(stream).name(),
                data.describe(index),
                () ->
                    stream == Stream.CATALOG
                        ? events.catalogItem(index, now)
                        : events.query(sequence, index, now));
        if (event.isPresent()) {
          send(stream, event.get());
        }
        plan.sent(stream);
      }
      producer.flush();
      LOG.info(
          "sent {} catalog items, {} queries ({} skipped)",
          plan.catalogSent(),
          plan.queriesSent(),
          sendCheck.skipped());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // close() asked us to stop
    } catch (RuntimeException e) {
      if (!stopping) { // an interrupted send during close() is not a failure
        failure.compareAndSet(null, e);
        LOG.error("producer stopped: {}", e.toString());
      }
    } finally {
      finished.countDown();
    }
  }

  private static Topic<String, ImageEvent> topic(Stream stream) {
    return stream == Stream.CATALOG ? Topics.CATALOG : Topics.QUERIES;
  }

  private void send(Stream stream, ImageEvent event) {
    Topic<String, ImageEvent> topic = topic(stream);
    producer.send(
        new ProducerRecord<>(topic.name(), event.getItemId(), event),
        (metadata, error) -> {
          if (error == null) {
            produced.get(stream).increment();
          } else if (failure.compareAndSet(null, error)) {
            // The client already retried until delivery.timeout.ms: the broker is gone or refuses.
            LOG.error("sending to {} failed: {}", topic.name(), error.toString());
          }
        });
  }

  private static Counter counter(MeterRegistry registry, Topic<?, ?> topic) {
    return Counter.builder("advrank.events.produced")
        .description("Events acknowledged by the broker")
        .tag("topic", topic.name())
        .register(registry);
  }
}
