package io.advrank.producer;

import io.advrank.runtime.http.HttpAccess;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.settings.ServiceSettings;
import io.advrank.runtime.settings.Setting;
import io.advrank.runtime.settings.SettingsSource;
import io.advrank.runtime.settings.SettingsTable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the producer service needs, validated once at start-up: each component is the setting
 * declared below under the same name ({@link #TABLE}); messages name the setting and the bad value.
 *
 * @param kafka how to reach Kafka
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

  /** Above this, pacing by sleeping would be meaningless; use several producers instead. */
  static final double MAX_RATE = 1_000_000;

  public static final Setting<Path> DATA_DIR =
      Setting.path(
          "data.dir",
          Path.of("/usr/share/datasets/fashion-mnist"),
          "directory of IDX files (MNIST layout) or of photo folders; its test split is the catalog");
  public static final Setting<Integer> CATALOG_LIMIT =
      Setting.integer(
          "catalog.limit",
          0,
          0,
          Integer.MAX_VALUE,
          "catalog items to publish, the first of the test split; 0 = all");
  public static final Setting<Double> CATALOG_RATE =
      Setting.decimal(
          "catalog.rate",
          0,
          v -> v >= 0 && v <= MAX_RATE,
          "in 0.." + (long) MAX_RATE,
          "catalog items per second; 0 = all at start-up");
  public static final Setting<Double> QUERY_RATE =
      Setting.decimal(
          "query.rate",
          10,
          v -> v > 0 && v <= MAX_RATE,
          "> 0 and <= " + (long) MAX_RATE,
          "shopper queries per second");
  public static final Setting<Long> QUERY_LIMIT =
      Setting.longInteger(
          "query.limit", 0, 0, Long.MAX_VALUE, "stop after this many queries; 0 = no limit");
  public static final Setting<Duration> QUERY_DURATION =
      Setting.duration(
          "query.duration", Duration.ZERO, "stop sending queries after this long; 0 = no limit");
  public static final Setting<Boolean> QUERY_HELD_OUT =
      Setting.bool(
          "query.held-out",
          false,
          "draw queries only from test images that are not in the catalog, so a query is never"
              + " pixel-identical to a catalog item");
  public static final Setting<Long> SEED =
      Setting.longInteger(
          "seed",
          0,
          Long.MIN_VALUE,
          Long.MAX_VALUE,
          "seed of the query stream and of every event id");
  public static final Setting<String> PRODUCER_ID =
      Setting.name(
          "producer.id", "producer-0", "this instance's name, written into events and client ids");
  public static final Setting<Integer> METRICS_PORT = ServiceSettings.metricsPortSetting(9410);
  public static final Setting<ImageShape> IMAGE_SHAPE =
      Setting.parsed(
          "image.shape",
          ImageShape.FASHION_MNIST.text(),
          ImageShape::parse,
          "must be CxHxW, e.g. 3x224x224",
          "the shape photo folders are read at, the served model's input; IDX files keep their own");
  public static final Setting<ImageEncoding> IMAGE_ENCODING =
      Setting.parsed(
          "image.encoding",
          ImageEncoding.SOURCE.text(),
          ImageEncoding::parse,
          "must be one of source, raw, png",
          "how images go on the wire: source sends a photo folder's files as they are, raw and png"
              + " send the pixels at image.shape");

  /** Default data: Debian's {@code dataset-fashion-mnist} package. */
  public static final Path DEFAULT_DATA_DIR = DATA_DIR.defaultValue();

  /** Default port of the producer's metrics endpoint. */
  public static final int DEFAULT_METRICS_PORT = METRICS_PORT.defaultValue();

  /** The producer's settings, declared once; Kafka's and HTTP's by key. */
  public static final SettingsTable TABLE =
      SettingsTable.of(
              "producer",
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
              IMAGE_ENCODING)
          .with("Kafka", KafkaSettings.KEYS)
          .with("HTTP", HttpAccess.KEYS);

  /** Every key this service reads, Kafka's included. */
  public static final Set<String> KEYS = TABLE.keys();

  /** Checks ranges; every message names the setting and the value. */
  public ProducerSettings {
    Objects.requireNonNull(dataDir, DATA_DIR.key());
    Objects.requireNonNull(kafka, "kafka");
    imageShape = imageShape == null ? ImageShape.FASHION_MNIST : imageShape;
    imageEncoding = imageEncoding == null ? ImageEncoding.SOURCE : imageEncoding;
    CATALOG_LIMIT.check(catalogLimit);
    CATALOG_RATE.check(catalogRate);
    QUERY_RATE.check(queryRate);
    QUERY_LIMIT.check(queryLimit);
    QUERY_DURATION.check(queryDuration);
    PRODUCER_ID.check(producerId);
    METRICS_PORT.check(metricsPort);
  }

  /** Reads the settings from flags, environment and file, with defaults for a local demo. */
  public static ProducerSettings from(SettingsSource source) {
    return new ProducerSettings(
        DATA_DIR.read(source),
        CATALOG_LIMIT.read(source),
        CATALOG_RATE.read(source),
        QUERY_RATE.read(source),
        QUERY_LIMIT.read(source),
        QUERY_DURATION.read(source),
        QUERY_HELD_OUT.read(source),
        SEED.read(source),
        PRODUCER_ID.read(source),
        METRICS_PORT.read(source),
        KafkaSettings.from(source),
        IMAGE_SHAPE.read(source),
        IMAGE_ENCODING.read(source));
  }

  /** Whether the query stream ends by itself (a limit or a duration is set). */
  public boolean queriesBounded() {
    return queryLimit > 0 || !queryDuration.isZero();
  }
}
