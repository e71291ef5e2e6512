package io.advrank.cli.bench;

import java.util.Locale;

/**
 * One sample of a soak run ({@link BenchSoakCommand}).
 *
 * @param seconds time since the demo started
 * @param rssBytes the process's resident set (VmRSS)
 * @param heapCommittedBytes Java heap committed
 * @param heapResidentBytes the resident pages of the Java heap's address range (from {@code
 *     /proc/self/smaps}): RSS minus this is what the process holds outside the heap (libtorch,
 *     RocksDB, Kafka's buffers, metaspace, threads); −1 when unknown (then the committed heap is
 *     subtracted instead)
 * @param heapUsedBytes Java heap in use at the sample, garbage included
 * @param heapAfterGcBytes Java heap in use right after the most recent collection, all heap pools
 * @param heapLiveBytes Java heap in use right after a full collection the soak asked for, the live
 *     set; −1 on samples without one
 * @param nativeArrays live DJL NDArrays under the engine's system manager, at any depth
 * @param lag summed consumer lag of every group, in records; −1 when the broker did not answer
 * @param brokerRssBytes the RSS of the soak's broker when it runs in a child process, context only;
 *     −1 when it runs in this process
 */
record SoakSample(
    double seconds,
    long rssBytes,
    long heapCommittedBytes,
    long heapResidentBytes,
    long heapUsedBytes,
    long heapAfterGcBytes,
    long heapLiveBytes,
    long nativeArrays,
    long lag,
    long brokerRssBytes) {
  static final String CSV_HEADER =
      "seconds,rss_bytes,heap_committed_bytes,heap_resident_bytes,heap_used_bytes,"
          + "heap_after_gc_bytes,heap_live_bytes,native_arrays,lag_records,broker_rss_bytes";

  /**
   * RSS outside the Java heap: native memory, whose leak the heap checks cannot see. The heap's
   * resident pages are subtracted, not the committed heap: a committed page becomes resident only
   * when it is first written, so RSS minus the committed heap grew for many minutes as G1 first
   * wrote to more of its regions, with no native allocation at all.
   */
  long offHeapBytes() {
    return rssBytes - (heapResidentBytes >= 0 ? heapResidentBytes : heapCommittedBytes);
  }

  String csv() {
    return String.format(
        Locale.ROOT,
        "%.1f,%d,%d,%d,%d,%d,%d,%d,%d,%d",
        seconds,
        rssBytes,
        heapCommittedBytes,
        heapResidentBytes,
        heapUsedBytes,
        heapAfterGcBytes,
        heapLiveBytes,
        nativeArrays,
        lag,
        brokerRssBytes);
  }
}
