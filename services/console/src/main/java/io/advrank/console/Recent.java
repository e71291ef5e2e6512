package io.advrank.console;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A bounded map that forgets its least recently written entries: the console's memory of what it
 * consumed. Not thread-safe; {@link ConsoleView} guards it.
 */
final class Recent<K, V> {
  private final int capacity;
  private final LinkedHashMap<K, V> map;

  Recent(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
    }
    this.capacity = capacity;
    this.map =
        new LinkedHashMap<>(16, 0.75f, false) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
            return size() > Recent.this.capacity;
          }
        };
  }

  /** Stores {@code value} as the newest entry (a rewritten key moves to the newest place). */
  void put(K key, V value) {
    map.remove(key);
    map.put(key, value);
  }

  void remove(K key) {
    map.remove(key);
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
