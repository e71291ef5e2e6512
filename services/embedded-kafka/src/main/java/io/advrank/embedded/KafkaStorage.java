package io.advrank.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.slf4j.Logger;

/**
 * What {@link EmbeddedKafka} and {@link KafkaNode} both do to a KRaft server's storage and life.
 */
final class KafkaStorage {
  private KafkaStorage() {}

  /**
   * Writes {@code props} to {@code configFile} and formats the log directories they name as KRaft
   * storage of cluster {@code clusterId}; a directory formatted before is left as it is.
   *
   * @throws IllegalStateException naming {@code where} and Kafka's output when formatting fails
   */
  static void format(Properties props, Path configFile, String clusterId, String where) {
    format(props, configFile, clusterId, where, List.of());
  }

  /** As {@link #format(Properties, Path, String, String)}, with more StorageTool arguments. */
  static void format(
      Properties props, Path configFile, String clusterId, String where, List<String> more) {
    try (OutputStream out = Files.newOutputStream(configFile)) {
      props.store(out, "advrank " + where);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    List<String> argv =
        new ArrayList<>(
            List.of("format", "-t", clusterId, "-c", configFile.toString(), "--ignore-formatted"));
    argv.addAll(more);
    String[] args = argv.toArray(String[]::new);
    int rc = StorageTool.execute(args, new PrintStream(output, true, StandardCharsets.UTF_8));
    if (rc != 0) {
      throw new IllegalStateException(
          "formatting Kafka storage of "
              + where
              + " failed ("
              + rc
              + "): "
              + output.toString(StandardCharsets.UTF_8));
    }
  }

  /** Shuts {@code server} down and waits; a failure is logged, not thrown. */
  static void shutdownQuietly(KafkaRaftServer server, Logger log, String what) {
    try {
      server.shutdown();
      server.awaitShutdown();
    } catch (RuntimeException e) {
      log.warn("{} shutdown: {}", what, e.toString());
    }
  }
}
