package io.advrank.producer;

import static io.advrank.runtime.settings.SettingsRules.require;

import io.advrank.runtime.http.HttpAccess;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.settings.ServiceSettings;
import io.advrank.runtime.settings.SettingsSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the producer service needs, validated once at start-up; messages name the setting and
 * the bad value.
 *
 * @param dataDir directory of IDX files whose test split is the catalog ({@value #DATA_DIR})
 * @param catalogLimit catalog items to publish, the first of the test split; 0 = all ({@value
 *     #CATALOG_LIMIT})
 * @param catalogRate catalog items per second; 0 = all at start-up ({@value #CATALOG_RATE})
 * @param queryRate shopper queries per second, &gt; 0 ({@value #QUERY_RATE})
 * @param queryLimit stop after this many queries; 0 = no limit ({@value #QUERY_LIMIT})
 * @param queryDuration stop sending queries after this long; 0 = no limit ({@value
 *     #QUERY_DURATION})
 * @param queryHeldOut draw queries only from test images that are not in the catalog, so a query is
 *     never pixel-identical to a catalog item ({@value #QUERY_HELD_OUT})
 * @param seed seed of the query stream and of every event id ({@value #SEED})
 * @param producerId this instance's name, written into events and client ids ({@value
 *     #PRODUCER_ID})
 * @param metricsPort port of {@code /metrics} and {@code /health}; 0 = any ({@value #METRICS_PORT})
 * @param kafka how to reach Kafka
 * @param imageShape the shape photo folders are read at, the served model's input ({@value
 *     #IMAGE_SHAPE}, e.g. {@code 3x224x224}); IDX files keep their own
 * @param imageEncoding how images go on the wire ({@value #IMAGE_ENCODING}: {@code source}, the
 *     default, sends a photo folder's files as they are; {@code raw} and {@code png} send the
 *     pixels at {@code image.shape})
 */
public record ProducerSettings(
    Path dataDir,
    int catalogLimit,
    double catalogRate,
    double queryRate,
    long queryLimit,
    Duration queryDuration,
    boolean queryHeldOut,
    long seed,
    String producerId,
    int metricsPort,
    KafkaSettings kafka,
    ImageShape imageShape,
    ImageEncoding imageEncoding)
    implements ServiceSettings {

  public static final String DATA_DIR = "data.dir";
  public static final String CATALOG_LIMIT = "catalog.limit";
  public static final String CATALOG_RATE = "catalog.rate";
  public static final String QUERY_RATE = "query.rate";
  public static final String QUERY_LIMIT = "query.limit";
  public static final String QUERY_DURATION = "query.duration";
  public static final String QUERY_HELD_OUT = "query.held-out";
  public static final String SEED = "seed";
  public static final String PRODUCER_ID = "producer.id";
  public static final String METRICS_PORT = "metrics.port";
  public static final String IMAGE_SHAPE = "image.shape";
  public static final String IMAGE_ENCODING = "image.encoding";

  /** Default data: Debian's {@code dataset-fashion-mnist} package. */
  public static final Path DEFAULT_DATA_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  /** Default port of the producer's metrics endpoint. */
  public static final int DEFAULT_METRICS_PORT = 9410;

  /** Above this, pacing by sleeping would be meaningless; use several producers instead. */
  static final double MAX_RATE = 1_000_000;

  /** Every key this service reads, Kafka's included. */
  public static final Set<String> KEYS = keys();

  /** Checks ranges; every message names the setting and the value. */
  public ProducerSettings {
    Objects.requireNonNull(dataDir, DATA_DIR);
    Objects.requireNonNull(queryDuration, QUERY_DURATION);
    Objects.requireNonNull(kafka, "kafka");
    imageShape = imageShape == null ? ImageShape.FASHION_MNIST : imageShape;
    imageEncoding = imageEncoding == null ? ImageEncoding.SOURCE : imageEncoding;
    require(catalogLimit >= 0, CATALOG_LIMIT, catalogLimit, "must be >= 0 (0 = whole test split)");
    require(
        catalogRate >= 0 && catalogRate <= MAX_RATE,
        CATALOG_RATE,
        catalogRate,
        "must be in 0.." + (long) MAX_RATE + " events/s (0 = all at start-up)");
    require(
        queryRate > 0 && queryRate <= MAX_RATE,
        QUERY_RATE,
        queryRate,
        "must be > 0 and <= " + (long) MAX_RATE + " events/s");
    require(queryLimit >= 0, QUERY_LIMIT, queryLimit, "must be >= 0 (0 = no limit)");
    require(!queryDuration.isNegative(), QUERY_DURATION, queryDuration, "must not be negative");
    require(
        producerId != null && producerId.matches("[A-Za-z0-9._-]{1,64}"),
        PRODUCER_ID,
        producerId,
        "must be 1-64 characters of letters, digits, '.', '_' or '-'");
    require(
        metricsPort >= 0 && metricsPort <= 65535, METRICS_PORT, metricsPort, "must be 0..65535");
  }

  /** Settings with the default {@link ImageEncoding#SOURCE}. */
  public ProducerSettings(
      Path dataDir,
      int catalogLimit,
      double catalogRate,
      double queryRate,
      long queryLimit,
      Duration queryDuration,
      boolean queryHeldOut,
      long seed,
      String producerId,
      int metricsPort,
      KafkaSettings kafka,
      ImageShape imageShape) {
    this(
        dataDir,
        catalogLimit,
        catalogRate,
        queryRate,
        queryLimit,
        queryDuration,
        queryHeldOut,
        seed,
        producerId,
        metricsPort,
        kafka,
        imageShape,
        null);
  }

  /** Reads the settings from flags, environment and file, with defaults for a local demo. */
  public static ProducerSettings from(SettingsSource source) {
    return new ProducerSettings(
        Path.of(source.string(DATA_DIR, DEFAULT_DATA_DIR.toString())),
        source.intValue(CATALOG_LIMIT, 0),
        source.doubleValue(CATALOG_RATE, 0),
        source.doubleValue(QUERY_RATE, 10),
        source.longValue(QUERY_LIMIT, 0),
        source.duration(QUERY_DURATION, Duration.ZERO),
        source.bool(QUERY_HELD_OUT, false),
        source.longValue(SEED, 0),
        source.string(PRODUCER_ID, "producer-0"),
        source.intValue(METRICS_PORT, DEFAULT_METRICS_PORT),
        KafkaSettings.from(source),
        ImageShape.parse(IMAGE_SHAPE, source.string(IMAGE_SHAPE, ImageShape.FASHION_MNIST.text())),
        ImageEncoding.parse(
            IMAGE_ENCODING, source.string(IMAGE_ENCODING, ImageEncoding.SOURCE.text())));
  }

  /** Whether the query stream ends by itself (a limit or a duration is set). */
  public boolean queriesBounded() {
    return queryLimit > 0 || !queryDuration.isZero();
  }

  private static Set<String> keys() {
    Set<String> keys =
        new HashSet<>(
            Set.of(
                DATA_DIR,
                CATALOG_LIMIT,
                CATALOG_RATE,
                QUERY_RATE,
                QUERY_LIMIT,
                QUERY_DURATION,
                QUERY_HELD_OUT,
                SEED,
                PRODUCER_ID,
                METRICS_PORT,
                IMAGE_SHAPE,
                IMAGE_ENCODING));
    keys.addAll(KafkaSettings.KEYS);
    keys.addAll(HttpAccess.KEYS); // read by the service's Main
    return Set.copyOf(keys);
  }
}
