package io.advrank.cli;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Consumer lag (log end offset − committed offset) per consumer group: Kafka Streams' monitor, the
 * attack-worker, the ranker's query loop, the defense-trainer.
 */
public final class LagProbe implements AutoCloseable {
  private final Admin admin;

  public LagProbe(Admin admin) {
    this.admin = admin;
  }

  /** The summed lag, or −1 when the broker did not answer within a second. */
  public long totalLag() {
    Map<String, Long> byGroup = lagByGroup();
    return byGroup == null ? -1 : byGroup.values().stream().mapToLong(Long::longValue).sum();
  }

  /** The lag of each group, or null when the broker did not answer within a second. */
  Map<String, Long> lagByGroup() {
    try {
      Map<String, Long> byGroup = new TreeMap<>();
      for (GroupListing g : admin.listGroups().all().get(1, TimeUnit.SECONDS)) {
        long lag = 0;
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin
                .listConsumerGroupOffsets(g.groupId())
                .partitionsToOffsetAndMetadata()
                .get(1, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
            admin.listOffsets(latest).all().get(1, TimeUnit.SECONDS);
        for (var e : committed.entrySet()) {
          if (e.getValue() != null && ends.containsKey(e.getKey())) {
            lag += Math.max(0, ends.get(e.getKey()).offset() - e.getValue().offset());
          }
        }
        byGroup.put(g.groupId(), lag);
      }
      return byGroup;
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return null;
    }
  }

  @Override
  public void close() {
    admin.close();
  }
}
