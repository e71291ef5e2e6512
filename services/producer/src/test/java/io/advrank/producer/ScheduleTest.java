package io.advrank.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.producer.Schedule.Slot;
import io.advrank.producer.Schedule.Stream;
import io.advrank.runtime.settings.KafkaSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScheduleTest {
  private static ProducerSettings settings(
      double catalogRate, double queryRate, long queryLimit, Duration duration) {
    return new ProducerSettings(
        Path.of("d"),
        0,
        catalogRate,
        queryRate,
        queryLimit,
        duration,
        false,
        0,
        "p",
        0,
        new KafkaSettings("h:1", (short) 1),
        ImageShape.FASHION_MNIST,
        ImageEncoding.SOURCE);
  }

  /** Sends every slot as soon as it is due, jumping the time forward; returns what was sent. */
  private static List<Slot> drain(Schedule schedule, long start) {
    List<Slot> sent = new ArrayList<>();
    long now = start;
    Optional<Slot> next;
    while ((next = schedule.next(now)).isPresent() && sent.size() < 1000) {
      now = Math.max(now, next.get().dueMillis());
      sent.add(next.get());
      schedule.sent(next.get().stream());
    }
    return sent;
  }

  @Test
  void sendsTheWholeCatalogBeforeTheFirstQueryWhenCatalogRateIsZero() {
    List<Slot> sent = drain(new Schedule(settings(0, 10, 3, Duration.ZERO), 5, 1000), 1000);

    assertEquals(8, sent.size());
    for (int i = 0; i < 5; i++) {
      assertEquals(Stream.CATALOG, sent.get(i).stream());
      assertEquals(1000, sent.get(i).dueMillis());
    }
    assertEquals(List.of(1000L, 1100L, 1200L), dues(sent.subList(5, 8)));
  }

  @Test
  void interleavesBothStreamsAtTheirRates() {
    List<Slot> sent = drain(new Schedule(settings(5, 10, 4, Duration.ZERO), 2, 0), 0);

    // catalog at 0 and 200 ms, queries at 0, 100, 200, 300 ms; the catalog wins ties.
    assertEquals(
        List.of(
            Stream.CATALOG,
            Stream.QUERIES,
            Stream.QUERIES,
            Stream.CATALOG,
            Stream.QUERIES,
            Stream.QUERIES),
        sent.stream().map(Slot::stream).toList());
    assertEquals(List.of(0L, 0L, 100L, 200L, 200L, 300L), dues(sent));
  }

  @Test
  void stopsQueriesWhenTheDurationIsUsedUp() {
    List<Slot> sent = drain(new Schedule(settings(0, 4, 0, Duration.ofSeconds(2)), 0, 0), 0);

    assertEquals(8, sent.size()); // 4/s for 2 s: due at 0, 250, ..., 1750 ms
    assertTrue(sent.stream().allMatch(s -> s.dueMillis() < 2000));
  }

  private static List<Long> dues(List<Slot> slots) {
    return slots.stream().map(Slot::dueMillis).toList();
  }
}
