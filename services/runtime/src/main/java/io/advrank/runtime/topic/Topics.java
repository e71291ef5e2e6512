package io.advrank.runtime.topic;

import com.google.protobuf.Message;
import io.advrank.proto.v1.AdversarialVariant;
import io.advrank.proto.v1.AnomalyAlert;
import io.advrank.proto.v1.CatalogObservation;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ModelDecision;
import io.advrank.proto.v1.ModelVersion;
import io.advrank.proto.v1.RankShift;
import io.advrank.proto.v1.RankingResult;
import io.advrank.runtime.kafka.KafkaFailures;
import io.advrank.runtime.topic.Topic.Cleanup;
import io.advrank.runtime.wire.ProtoSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The one place that binds every advrank topic name to its key and value serdes and its layout;
 * {@code proto/README.md} documents the same table for people.
 *
 * <p>All keys are UTF-8 strings so that records about one catalog item or query land on one
 * partition (ordered, and co-partitioned across topics for joins). Values are protobuf messages of
 * package {@code advrank.v1}, except on the dead-letter topic, which keeps a failed record's
 * original bytes.
 */
public final class Topics {
  private Topics() {}

  /** Default partitions of the event topics: the unit of parallelism per consumer group. */
  public static final int EVENT_PARTITIONS = 4;

  private static final Serde<String> KEY = Serdes.String();

  /**
   * Catalog photos as sellers upload them; key: item id, a null value (tombstone) deletes the item.
   * Compacted: the catalog is state, not an event stream. Every item's latest photo stays however
   * old it is, so a service that (re)starts reading from the beginning rebuilds the whole catalog.
   */
  public static final Topic<String, ImageEvent> CATALOG =
      state("advrank.catalog", ImageEvent.getDefaultInstance());

  /** Shoppers' query images as sent; key: query id. */
  public static final Topic<String, ImageEvent> QUERIES =
      events("advrank.queries", ImageEvent.getDefaultInstance());

  /**
   * Catalog photos as the ranker receives them (perhaps perturbed: CA±); key: item id, tombstones
   * forwarded. Compacted like {@link #CATALOG}: every ranker rebuilds its index from it at start.
   */
  public static final Topic<String, ImageEvent> CATALOG_DELIVERED =
      state("advrank.catalog.delivered", ImageEvent.getDefaultInstance());

  /** Query images as the ranker receives them (perhaps hijacked: QA±); key: query id. */
  public static final Topic<String, ImageEvent> QUERIES_DELIVERED =
      events("advrank.queries.delivered", ImageEvent.getDefaultInstance());

  /** Ground truth: every adversarial image produced; key: attacked item or query id. */
  public static final Topic<String, AdversarialVariant> ADVERSARIAL =
      events("advrank.adversarial", AdversarialVariant.getDefaultInstance());

  /** Measured rank shift of every attack; key: attacked item or query id. */
  public static final Topic<String, RankShift> RANK_SHIFTS =
      events("advrank.rank-shifts", RankShift.getDefaultInstance());

  /** The ranker's top-k answer to every delivered query; key: query id. */
  public static final Topic<String, RankingResult> RANKINGS =
      events("advrank.rankings", RankingResult.getDefaultInstance());

  /** What the ranker observed embedding each catalog photo (detector signals); key: item id. */
  public static final Topic<String, CatalogObservation> CATALOG_OBSERVATIONS =
      events("advrank.catalog.observations", CatalogObservation.getDefaultInstance());

  /** The monitor's alerts; key: subject id. One partition: low volume, read in order. */
  public static final Topic<String, AnomalyAlert> ALERTS =
      new Topic<>(
          "advrank.alerts",
          KEY,
          ProtoSerde.of(AnomalyAlert.getDefaultInstance()),
          1,
          Cleanup.DELETE,
          Map.of());

  /**
   * Model versions in chunks; key: {@link #modelChunkKey}. Compacted so a new consumer can always
   * rebuild every version; one partition so chunks arrive in order; messages up to 2 MiB so a chunk
   * of {@link #MODEL_CHUNK_BYTES} fits with room to spare.
   */
  public static final Topic<String, ModelVersion> MODELS =
      new Topic<>(
          "advrank.models",
          KEY,
          ProtoSerde.of(ModelVersion.getDefaultInstance()),
          1,
          Cleanup.COMPACT,
          Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(2 * 1024 * 1024)));

  /** Weights bytes per {@link ModelVersion} chunk; below every default 1 MB message limit. */
  public static final int MODEL_CHUNK_BYTES = 512 * 1024;

  /**
   * Key of the activation record on {@link #MODELS} (a rollback: "serve this version"); no chunk
   * key can equal it because chunk keys contain a '/'.
   */
  public static final String MODEL_ACTIVE_KEY = "active";

  /** The defense-trainer's gate decisions, published or rejected; key: candidate version. */
  public static final Topic<String, ModelDecision> MODEL_DECISIONS =
      new Topic<>(
          "advrank.model-decisions",
          KEY,
          ProtoSerde.of(ModelDecision.getDefaultInstance()),
          1,
          Cleanup.DELETE,
          Map.of());

  /**
   * Records no service could process, with their original key and value bytes and headers naming
   * the reason (see {@code DeadLetters}). Kept for 7 days for inspection and replay.
   */
  public static final Topic<byte[], byte[]> DEAD_LETTER =
      new Topic<>(
          "advrank.dead-letter",
          Serdes.ByteArray(),
          Serdes.ByteArray(),
          1,
          Cleanup.DELETE,
          Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(Duration.ofDays(7).toMillis())));

  private static final List<Topic<?, ?>> ALL =
      List.of(
          CATALOG,
          QUERIES,
          CATALOG_DELIVERED,
          QUERIES_DELIVERED,
          ADVERSARIAL,
          RANK_SHIFTS,
          RANKINGS,
          CATALOG_OBSERVATIONS,
          ALERTS,
          MODELS,
          MODEL_DECISIONS,
          DEAD_LETTER);

  private static <V extends Message> Topic<String, V> events(String name, V defaultInstance) {
    return new Topic<>(
        name, KEY, ProtoSerde.of(defaultInstance), EVENT_PARTITIONS, Cleanup.DELETE, Map.of());
  }

  /** A compacted topic keyed by item id: the latest record per item is kept for ever. */
  private static <V extends Message> Topic<String, V> state(String name, V defaultInstance) {
    return new Topic<>(
        name, KEY, ProtoSerde.of(defaultInstance), EVENT_PARTITIONS, Cleanup.COMPACT, Map.of());
  }

  /** Every advrank topic, in pipeline order. */
  public static List<Topic<?, ?>> all() {
    return ALL;
  }

  /** The topic of that name, if it is one of ours. */
  public static Optional<Topic<?, ?>> byName(String name) {
    return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  /** Key of one model chunk on {@link #MODELS}: {@code <version>/<chunkIndex>}. */
  public static String modelChunkKey(String version, int chunkIndex) {
    if (version == null || version.isBlank() || version.contains("/")) {
      throw new IllegalArgumentException("model version must be non-blank without '/': " + version);
    }
    if (chunkIndex < 0) {
      throw new IllegalArgumentException("chunk index must be >= 0, got " + chunkIndex);
    }
    return version + "/" + chunkIndex;
  }

  /**
   * Creates every topic in {@link #all()} that does not exist yet; existing topics are left as they
   * are (their partitions and configs are not checked). Safe to call from every service at start.
   *
   * @param replicationFactor 1 for a single broker, typically 3 in a cluster
   * @param timeout how long to wait for the broker
   * @return names of the topics this call created
   * @throws IllegalStateException if the broker refuses or does not answer in time
   */
  public static Set<String> createAll(Admin admin, short replicationFactor, Duration timeout) {
    try {
      Set<String> existing =
          admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (Topic<?, ?> topic : ALL) {
        if (!existing.contains(topic.name())) {
          missing.add(topic.newTopic(replicationFactor));
        }
      }
      Set<String> created = createRacing(admin, missing, timeout);
      awaitLeaders(admin, timeout);
      return created;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "could not list or create advrank topics: " + KafkaFailures.describe(e), e);
    }
  }

  /** Creates topics; another service creating the same topic concurrently is not an error. */
  private static Set<String> createRacing(Admin admin, List<NewTopic> topics, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    var futures = admin.createTopics(topics).values();
    Set<String> created = new TreeSet<>();
    for (var entry : futures.entrySet()) {
      try {
        entry.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        created.add(entry.getKey());
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    }
    return created;
  }

  /**
   * Waits until every partition of every advrank topic has a leader. A client that produces to a
   * topic in the moment after its creation otherwise meets NOT_LEADER_OR_FOLLOWER, and an
   * idempotent producer was seen to stall for its whole delivery timeout after that.
   */
  private static void awaitLeaders(Admin admin, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!allLed(admin, timeout)) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("advrank topics still have partitions without a leader");
      }
      Thread.sleep(50);
    }
  }

  /** Whether every partition has a leader; a topic not yet in the metadata counts as no. */
  private static boolean allLed(Admin admin, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    try {
      return admin
          .describeTopics(names())
          .allTopicNames()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .values()
          .stream()
          .flatMap(d -> d.partitions().stream())
          .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return false;
      }
      throw e;
    }
  }

  /** Names of all topics, for checks and logs. */
  public static Set<String> names() {
    return ALL.stream().map(Topic::name).collect(Collectors.toUnmodifiableSet());
  }
}
