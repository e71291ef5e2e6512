package io.advrank.monitor;

import com.google.protobuf.InvalidProtocolBufferException;
import io.advrank.core.detection.DetectorThresholds;
import io.advrank.proto.v1.ModelVersion;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.topic.Topics;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the manifests of the model versions on {@code advrank.models} into {@link
 * VersionThresholds}, in the background, from the beginning of the (compacted) topic. The monitor
 * needs no weights: it reads each version's first chunk's manifest and skips the rest. Records it
 * cannot read are skipped with a warning: the serving services dead-letter and count them already.
 *
 * <ul>
 *   <li>Input {@link Topics#MODELS}: key {@code <version>/<chunk>}, value {@code ModelVersion};
 *       read per instance, no group.
 * </ul>
 */
final class ManifestReader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ManifestReader.class);
  private static final Duration POLL = Duration.ofMillis(200);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final VersionThresholds thresholds;
  private final Set<String> seen = new HashSet<>();
  private final Thread thread;
  private volatile boolean running = true;

  ManifestReader(String bootstrapServers, VersionThresholds thresholds) {
    Properties p =
        ClientProperties.byteConsumer(bootstrapServers, "advrank-monitor-manifests", true);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    this.consumer = new KafkaConsumer<>(p);
    this.thresholds = thresholds;
    this.thread = new Thread(this::run, "advrank-monitor-manifests");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  private void run() {
    try {
      TopicPartition partition = new TopicPartition(Topics.MODELS.name(), 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      while (running) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
          read(r.value());
        }
      }
    } catch (WakeupException e) {
      // close() woke us up
    } catch (RuntimeException e) {
      LOG.error("reading {} stopped: {}", Topics.MODELS, e.toString());
    }
  }

  /** Takes the thresholds of the first chunk seen of each version. */
  void read(byte[] value) {
    ModelVersion v;
    try {
      v = ModelVersion.parseFrom(value == null ? new byte[0] : value);
    } catch (InvalidProtocolBufferException e) {
      LOG.warn("skipped a record of {} that is no ModelVersion", Topics.MODELS);
      return;
    }
    if (v.getActivation() || v.getVersion().isEmpty() || !seen.add(v.getVersion())) {
      return;
    }
    try {
      DetectorThresholds.fromManifestJson(v.getManifestJson())
          .ifPresentOrElse(
              t -> {
                if (!thresholds.put(v.getVersion(), t)) {
                  LOG.warn(
                      "version {}: thresholds were set for fpr {}, not calibration.fpr; calibrating"
                          + " on live traffic",
                      v.getVersion(),
                      t.falsePositiveRate());
                }
              },
              () ->
                  LOG.info(
                      "version {} has no detector thresholds: calibrating on live traffic",
                      v.getVersion()));
    } catch (IllegalArgumentException e) {
      LOG.warn("version {}: {}", v.getVersion(), e.getMessage());
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(Duration.ofSeconds(10).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    consumer.close(Duration.ofSeconds(5));
  }
}
