package io.advrank.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Properties;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;

class KafkaNodeTest {
  private static final String VOTERS = "1@127.0.0.1:9100,2@127.0.0.1:9101,3@127.0.0.1:9102";

  /**
   * advrank-runtime's Topic.minInSyncReplicas, which the CLI passes (no runtime dependency here).
   */
  private static final IntUnaryOperator MIN_ISR = replicas -> replicas >= 3 ? 2 : 1;

  @Test
  void threeVotersReplicateInternalTopicsThreeTimesWithTwoInSync() {
    Properties p = KafkaNode.properties(config(2, VOTERS, "0.0.0.0", "broker2.example"), MIN_ISR);

    assertEquals("3", p.get("offsets.topic.replication.factor"));
    assertEquals("3", p.get("transaction.state.log.replication.factor"));
    assertEquals("2", p.get("transaction.state.log.min.isr"));
    assertEquals("2", p.get("min.insync.replicas"));
    assertEquals("PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093", p.get("listeners"));
    assertEquals("PLAINTEXT://broker2.example:9092", p.get("advertised.listeners"));
  }

  @Test
  void aSingleVoterReplicatesOnce() {
    Properties p =
        KafkaNode.properties(config(1, "1@127.0.0.1:9093", "127.0.0.1", "127.0.0.1"), MIN_ISR);

    assertEquals("1", p.get("offsets.topic.replication.factor"));
    assertEquals("1", p.get("min.insync.replicas"));
  }

  @Test
  void refusesANodeOutsideTheQuorum() {
    assertThrows(IllegalArgumentException.class, () -> config(4, VOTERS, "127.0.0.1", "127.0.0.1"));
  }

  private static KafkaNode.Config config(int id, String voters, String bind, String advertised) {
    return new KafkaNode.Config(
        id, "MkU3OEVBNTcwNTJENDM2Qg", voters, bind, advertised, 9092, 9093, Path.of("/tmp/x"));
  }
}
