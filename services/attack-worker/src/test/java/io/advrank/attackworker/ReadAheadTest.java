package io.advrank.attackworker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.runtime.topic.Topics;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ReadAheadTest {
  private static final TopicPartition CATALOG_0 = new TopicPartition(Topics.CATALOG.name(), 0);
  private static final TopicPartition CATALOG_1 = new TopicPartition(Topics.CATALOG.name(), 1);
  private static final TopicPartition QUERIES_0 = new TopicPartition(Topics.QUERIES.name(), 0);
  private static final Set<TopicPartition> ASSIGNED = Set.of(CATALOG_0, CATALOG_1, QUERIES_0);

  @Test
  void theReadAheadIsFourBatchesButAtLeast256() {
    assertEquals(256, new ReadAhead(16).limit());
    assertEquals(400, new ReadAhead(100).limit());
  }

  @Test
  void belowTheReadAheadEverythingIsRead() {
    ReadAhead.Step step = new ReadAhead(16).next(255, ASSIGNED);
    assertEquals(Set.of(), step.pause());
    assertEquals(Set.of(), step.resume());
    assertTrue(step.poll());
  }

  @Test
  void aFullReadAheadPausesTheCatalogOnlySoQueriesStillFlow() {
    ReadAhead readAhead = new ReadAhead(16);
    ReadAhead.Step step = readAhead.next(256, ASSIGNED);
    assertEquals(Set.of(CATALOG_0, CATALOG_1), step.pause());
    assertTrue(step.poll(), "queries are still read");
    // Paused again on every step: a rebalance may have assigned another catalog partition.
    assertEquals(Set.of(CATALOG_0), readAhead.next(300, Set.of(CATALOG_0, QUERIES_0)).pause());
  }

  @Test
  void twiceTheReadAheadStopsReadingAltogether() {
    ReadAhead readAhead = new ReadAhead(16);
    assertTrue(readAhead.next(511, ASSIGNED).poll());
    assertFalse(readAhead.next(512, ASSIGNED).poll());
  }

  @Test
  void theCatalogIsResumedOnceTheQueueDrains() {
    ReadAhead readAhead = new ReadAhead(16);
    readAhead.next(256, ASSIGNED);
    ReadAhead.Step resumed = readAhead.next(10, ASSIGNED);
    assertEquals(Set.of(CATALOG_0, CATALOG_1), resumed.resume());
    assertEquals(Set.of(), resumed.pause());
    assertEquals(Set.of(), readAhead.next(10, ASSIGNED).resume(), "resumed once, not each step");
  }
}
