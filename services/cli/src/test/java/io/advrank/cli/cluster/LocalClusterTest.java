package io.advrank.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalClusterTest {
  @Test
  void aClusterStartedAgainOnItsDataKeepsItsIdAndAFreshOneGetsANewId(@TempDir Path dir)
      throws Exception {
    assertEquals(Optional.empty(), LocalCluster.previousClusterId(dir), "nothing there yet");
    Files.writeString(
        dir.resolve(LocalCluster.PROPERTIES),
        "bootstrap.servers=127.0.0.1\\:19092\ncluster.id=Ls4lK5YPR8SxoG36Uptl8w\n");
    assertEquals(
        Optional.empty(), LocalCluster.previousClusterId(dir), "purged: no broker data left");
    Files.createDirectories(dir.resolve("data").resolve("broker-1"));
    // Brokers refuse a log directory formatted for another id ("Invalid cluster.id in ...").
    assertEquals(Optional.of("Ls4lK5YPR8SxoG36Uptl8w"), LocalCluster.previousClusterId(dir));
  }
}
