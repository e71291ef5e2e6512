package io.advrank.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.embedded.EmbeddedKafka;
import io.advrank.runtime.topic.Topics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code cluster status}'s Kafka part: it answers from a real broker, and a cluster that does not
 * answer is asked again, then reported in one line that says what to try, instead of the bare "no
 * answer" that a loaded machine used to get at the first timeout.
 */
class ClusterStatusIT {
  @Test
  void reportsBrokersPartitionsAndLagOfALiveCluster() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      // Brokers up, topics not created yet (as when `up` failed in between): still a report.
      String bare =
          capture(
              p ->
                  StatusReport.kafkaWithRetries(
                      kafka.bootstrapServers(), Duration.ofSeconds(15), 1, p));
      assertTrue(bare.startsWith("brokers up: [1]"), bare);
      assertFalse(bare.contains(Topics.RANKINGS.name()), bare);
      try (ClusterInspector inspector = new ClusterInspector(kafka.bootstrapServers())) {
        Topics.createAll(inspector.admin(), (short) 1, Duration.ofSeconds(30));
      }
      String out =
          capture(
              p ->
                  StatusReport.kafkaWithRetries(
                      kafka.bootstrapServers(), Duration.ofSeconds(15), 3, p));
      assertTrue(out.startsWith("brokers up: [1]"), out);
      assertTrue(out.contains(Topics.RANKINGS.name()), out);
      assertFalse(out.contains("no answer"), out);
    }
  }

  @Test
  void asksAgainThenNamesTheSettingsToRaiseWhenNoBrokerAnswers() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    long t0 = System.nanoTime();
    boolean[] answered = new boolean[1];
    String out =
        capture(
            p ->
                answered[0] =
                    StatusReport.kafkaWithRetries(
                        "127.0.0.1:" + closed, Duration.ofSeconds(1), 2, p));
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertFalse(answered[0]);
    assertTrue(out.contains("no answer within 1 s (attempt 1 of 2"), out);
    assertTrue(out.contains("in 2 attempts of 1 s"), out);
    assertTrue(out.contains("--kafka-timeout"), out);
    assertTrue(seconds >= 2, "each attempt waits its timeout, took " + seconds + " s");
  }

  private interface Printer {
    void print(PrintStream out) throws Exception;
  }

  private static String capture(Printer printer) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream p = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      printer.print(p);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
