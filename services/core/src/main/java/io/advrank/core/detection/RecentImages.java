package io.advrank.core.detection;

import java.util.HashSet;
import java.util.Set;

/**
 * The last {@code capacity} distinct images seen, by a 64-bit hash of their pixels: whether an
 * image is seen for the first time lately. The ranker sees popular queries and re-uploaded photos
 * again and again; each should count once in what it learns from the traffic.
 */
final class RecentImages {
  private final long[] ring;
  private final Set<Long> keys;
  private int size;
  private int next;

  RecentImages(int capacity) {
    this.ring = new long[capacity];
    this.keys = new HashSet<>(2 * capacity);
  }

  /** A 64-bit hash of {@code length} pixels from {@code offset} (exact values, not rounded). */
  static long key(float[] pixels, int offset, int length) {
    long h = 0xcbf29ce484222325L;
    for (int i = offset; i < offset + length; i++) {
      h = (h ^ Float.floatToIntBits(pixels[i])) * 0x100000001b3L;
    }
    return h ^ (h >>> 29);
  }

  /** Whether {@code key} is not among the last {@code capacity} distinct ones; it is then kept. */
  boolean firstSighting(long key) {
    if (keys.contains(key)) {
      return false;
    }
    if (size == ring.length) {
      keys.remove(ring[next]);
    } else {
      size++;
    }
    ring[next] = key;
    next = (next + 1) % ring.length;
    keys.add(key);
    return true;
  }

  void clear() {
    keys.clear();
    size = 0;
    next = 0;
  }
}
