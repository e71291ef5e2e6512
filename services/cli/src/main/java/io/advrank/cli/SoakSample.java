package io.advrank.cli;

import java.util.Locale;

/**
 * One sample of a soak run ({@link BenchSoakCommand}).
 *
 * @param seconds time since the demo started
 * @param rssBytes the process's resident set (VmRSS)
 * @param heapCommittedBytes Java heap committed: RSS minus this is what the process holds outside
 *     the heap (libtorch, Kafka's buffers, metaspace, threads)
 * @param heapUsedBytes Java heap in use at the sample, garbage included
 * @param heapAfterGcBytes Java heap in use right after the most recent collection, all heap pools
 * @param heapLiveBytes Java heap in use right after a full collection the soak asked for, the live
 *     set; −1 on samples without one
 * @param nativeArrays live DJL NDArrays under the engine's system manager, at any depth
 * @param lag summed consumer lag of every group, in records; −1 when the broker did not answer
 */
record SoakSample(
    double seconds,
    long rssBytes,
    long heapCommittedBytes,
    long heapUsedBytes,
    long heapAfterGcBytes,
    long heapLiveBytes,
    long nativeArrays,
    long lag) {
  static final String CSV_HEADER =
      "seconds,rss_bytes,heap_committed_bytes,heap_used_bytes,heap_after_gc_bytes,"
          + "heap_live_bytes,native_arrays,lag_records";

  /** RSS outside the Java heap: native memory, whose leak the heap checks cannot see. */
  long offHeapBytes() {
    return rssBytes - heapCommittedBytes;
  }

  String csv() {
    return String.format(
        Locale.ROOT,
        "%.1f,%d,%d,%d,%d,%d,%d,%d",
        seconds,
        rssBytes,
        heapCommittedBytes,
        heapUsedBytes,
        heapAfterGcBytes,
        heapLiveBytes,
        nativeArrays,
        lag);
  }
}
