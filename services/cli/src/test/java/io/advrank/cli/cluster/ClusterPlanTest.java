package io.advrank.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClusterPlanTest {
  private static final ClusterPlan PLAN =
      new ClusterPlan(Path.of("/tmp/c"), 3, 2, 2, true, true, 19092, 19300, Map.of());

  @Test
  void everyBrokerIsAVoterOfOneQuorumWithItsOwnPorts() {
    List<ProcessSpec> brokers = PLAN.brokerSpecs("id");
    assertEquals(3, brokers.size());
    assertEquals("1@127.0.0.1:19192,2@127.0.0.1:19193,3@127.0.0.1:19194", PLAN.voters());
    assertEquals("127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094", PLAN.bootstrapServers());
    assertTrue(brokers.get(1).args().contains("--node-id=2"));
    assertTrue(brokers.get(1).args().contains("--log-dir=/tmp/c/data/broker-2"));
    assertEquals(3, PLAN.replicationFactor());
  }

  @Test
  void servicesGetDistinctMetricsPortsAndIdsAndTheProducerStartsLast() {
    List<ProcessSpec> services = PLAN.serviceSpecs("id");
    assertEquals(7, services.size());
    Set<Integer> ports = new HashSet<>();
    services.forEach(s -> ports.add(s.port()));
    assertEquals(7, ports.size(), "one /metrics port per process");
    assertEquals("producer", services.get(services.size() - 1).kind());
    ProcessSpec ranker1 =
        services.stream().filter(s -> s.name().equals("ranker-1")).findFirst().orElseThrow();
    assertTrue(ranker1.args().contains("--ranker.id=ranker-1"), ranker1.args().toString());
    assertTrue(ranker1.args().contains("--kafka.replication.factor=3"));
    assertTrue(ranker1.args().contains("--metrics.port=" + ranker1.port()));
    ProcessSpec worker =
        services.stream().filter(s -> s.kind().equals("attack-worker")).findFirst().orElseThrow();
    assertTrue(worker.args().contains("--staging.cluster.id=id"), worker.args().toString());
    assertTrue(
        worker.args().stream().anyMatch(a -> a.startsWith("--write.allowed-topics=")),
        worker.args().toString());
  }

  @Test
  void oneBrokerReplicatesOnce() {
    ClusterPlan one =
        new ClusterPlan(Path.of("/tmp/c"), 1, 1, 1, false, false, 1000, 2000, Map.of());
    assertEquals(1, one.replicationFactor());
    assertEquals(3, one.serviceSpecs("id").size());
  }

  @Test
  void refusesAnEmptyGroup() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new ClusterPlan(Path.of("/tmp/c"), 3, 0, 2, true, true, 19092, 19300, Map.of()));
  }
}
