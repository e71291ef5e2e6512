package io.advrank.console;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * A bounded map that forgets its least recently written entries: the console's memory of what it
 * consumed, capped in entries and, for images, in bytes. Not thread-safe; {@link ConsoleView}
 * guards it.
 */
final class Recent<K, V> {
  private final int capacity;
  private final long maxBytes;
  private final ToLongFunction<V> bytes;
  private final LinkedHashMap<K, V> map = new LinkedHashMap<>();
  private long total;

  Recent(int capacity) {
    this(capacity, Long.MAX_VALUE, v -> 0);
  }

  /** At most {@code capacity} entries whose {@code bytes} add up to at most {@code maxBytes}. */
  Recent(int capacity, long maxBytes, ToLongFunction<V> bytes) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
    }
    this.capacity = capacity;
    this.maxBytes = maxBytes;
    this.bytes = bytes;
  }

  /** Stores {@code value} as the newest entry (a rewritten key moves to the newest place). */
  void put(K key, V value) {
    remove(key);
    map.put(key, value);
    total += bytes.applyAsLong(value);
    Iterator<V> oldest = map.values().iterator();
    while (map.size() > 1 && (map.size() > capacity || total > maxBytes)) {
      total -= bytes.applyAsLong(oldest.next());
      oldest.remove();
    }
  }

  void remove(K key) {
    V old = map.remove(key);
    if (old != null) {
      total -= bytes.applyAsLong(old);
    }
  }

  V get(K key) {
    return map.get(key);
  }

  int size() {
    return map.size();
  }

  /** At most {@code limit} values, newest first. */
  List<V> newest(int limit) {
    List<V> all = new ArrayList<>(map.values());
    Collections.reverse(all);
    return all.subList(0, Math.min(limit, all.size()));
  }
}
