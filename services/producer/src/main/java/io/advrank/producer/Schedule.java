package io.advrank.producer;

import java.time.Duration;
import java.util.Optional;

/**
 * When each event is due. Two fixed-rate streams are merged: catalog item n is due at {@code start
 * + n / catalogRate}, query m at {@code queryStart + m / queryRate}; the earlier goes first (the
 * catalog on ties). Due times count from the stream's start rather than the previous send, so a
 * slow send is caught up instead of lowering the rate.
 *
 * <p>With catalog rate 0 the whole catalog is due at once and the query stream starts only when the
 * catalog has been sent, so shoppers search a complete marketplace; with a positive catalog rate
 * both streams start together (a marketplace that grows while it is searched).
 */
final class Schedule {
  /** The two output streams. */
  enum Stream {
    CATALOG,
    QUERIES
  }

  /** The next event: which stream, and when it is due (epoch ms). */
  record Slot(Stream stream, long dueMillis) {}

  private final int catalogTotal;
  private final double catalogRate;
  private final double queryRate;
  private final long queryLimit;
  private final Duration queryDuration;
  private final long startMillis;
  private long queryStartMillis = -1;
  private int catalogSent;
  private long queriesSent;

  Schedule(ProducerSettings settings, int catalogTotal, long startMillis) {
    this.catalogTotal = catalogTotal;
    this.catalogRate = settings.catalogRate();
    this.queryRate = settings.queryRate();
    this.queryLimit = settings.queryLimit();
    this.queryDuration = settings.queryDuration();
    this.startMillis = startMillis;
  }

  /** The next event at time {@code nowMillis}, or empty when every bounded stream is done. */
  Optional<Slot> next(long nowMillis) {
    Slot catalog =
        catalogSent < catalogTotal
            ? new Slot(Stream.CATALOG, due(startMillis, catalogSent, catalogRate))
            : null;
    if (queryStartMillis < 0 && (catalogRate > 0 || catalog == null)) {
      queryStartMillis = catalogRate > 0 ? startMillis : nowMillis;
    }
    Slot query = queryStartMillis < 0 ? null : nextQuery();
    if (catalog == null || query == null) {
      return Optional.ofNullable(catalog != null ? catalog : query);
    }
    return Optional.of(query.dueMillis() < catalog.dueMillis() ? query : catalog);
  }

  /** Records that the event of {@code stream} was sent. */
  void sent(Stream stream) {
    if (stream == Stream.CATALOG) {
      catalogSent++;
    } else {
      queriesSent++;
    }
  }

  int catalogSent() {
    return catalogSent;
  }

  long queriesSent() {
    return queriesSent;
  }

  private Slot nextQuery() {
    if (queryLimit > 0 && queriesSent >= queryLimit) {
      return null;
    }
    long due = due(queryStartMillis, queriesSent, queryRate);
    if (!queryDuration.isZero() && due >= queryStartMillis + queryDuration.toMillis()) {
      return null;
    }
    return new Slot(Stream.QUERIES, due);
  }

  private static long due(long start, long n, double rate) {
    return rate == 0 ? start : start + (long) Math.floor(n * 1000.0 / rate);
  }
}
