package io.advrank.cli.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.sun.management.GcInfo;
import io.advrank.cli.LagProbe;
import io.advrank.core.model.NativeHeap;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Reads what a soak watches in this process: RSS from {@code /proc/self/status}, the Java heap (in
 * use now, committed, resident, in use after the most recent collection) and, on the samples that
 * ask for it, the live set after a full collection; the live DJL arrays; and the consumer lag.
 *
 * <p>Why a full collection now and then: with G1 the heap after a young collection still holds the
 * old generation's garbage until a concurrent cycle and a mixed collection clear it, so it climbs
 * in a sawtooth with no leak at all (in a 3-minute run it went from 54 to 450 MiB at the first
 * mixed collection). Only a full collection measures the live set. It pauses the pipeline for a
 * fraction of a second, so it runs on a few samples, not every one.
 */
final class SoakSampler {
  private static final Pattern MAPPING = Pattern.compile("([0-9a-f]+)-([0-9a-f]+) ");
  private static final Pattern HEAP_RANGE =
      Pattern.compile("garbage-first heap .*\\[0x([0-9a-f]+), 0x([0-9a-f]+)\\)");

  private final LagProbe lag;
  private final NDManager system;
  private final LongSupplier brokerRss;
  private final long[] heapRange; // [start, end) of the Java heap's reservation, or null
  private final boolean trimNativeHeap;

  /**
   * @param trimNativeHeap give glibc's free memory back to the kernel before every sample (the
   *     {@code System.trim_native_heap} diagnostic command), so that off-heap RSS is the native
   *     memory in use, not what the allocator kept after it was freed
   */
  SoakSampler(LagProbe lag, LongSupplier brokerRss, boolean trimNativeHeap) {
    this.lag = lag;
    this.brokerRss = brokerRss;
    this.trimNativeHeap = trimNativeHeap;
    this.heapRange = heapRange();
    // The engine's base managers are children of its system manager: walking it from the root
    // finds every array a model, a batch scope or a PGD step still holds.
    try (NDManager probe = Engine.getInstance().newBaseManager()) {
      this.system = probe.getParentManager();
    }
  }

  /** A sample; with {@code fullGc} a full collection first, to measure the live heap. */
  SoakSample sample(double seconds, boolean fullGc) {
    long live = -1;
    if (fullGc) {
      System.gc(); // a full, stop-the-world collection unless -XX:+ExplicitGCInvokesConcurrent
      live = heapAfterGcBytes();
    }
    if (trimNativeHeap) {
      trimNativeHeap();
    }
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    return new SoakSample(
        seconds,
        NativeHeap.rssBytes(),
        heap.getCommitted(),
        heapResidentBytes(),
        heap.getUsed(),
        heapAfterGcBytes(),
        live,
        nativeArrays(),
        lag.totalLag(),
        brokerRss.getAsLong());
  }

  /** Live NDArrays under the system manager, recursively (closed arrays leave their manager). */
  long nativeArrays() {
    return system == null ? -1 : system.getManagedArrays().size();
  }

  /** The resident pages of the Java heap's address range; −1 when unknown. */
  long heapResidentBytes() {
    if (heapRange == null) {
      return -1;
    }
    try {
      return residentIn(
          Files.readAllLines(Path.of("/proc/self/smaps")), heapRange[0], heapRange[1]);
    } catch (IOException | UncheckedIOException e) {
      return -1;
    }
  }

  /**
   * The summed {@code Rss:} of the mappings of an {@code smaps} listing that lie within [{@code
   * start}, {@code end}).
   */
  static long residentIn(List<String> smaps, long start, long end) {
    long sum = 0;
    boolean inside = false;
    for (String line : smaps) {
      Matcher m = MAPPING.matcher(line);
      if (m.lookingAt()) {
        inside =
            Long.parseUnsignedLong(m.group(1), 16) >= start
                && Long.parseUnsignedLong(m.group(2), 16) <= end;
      } else if (inside && line.startsWith("Rss:")) {
        sum += Long.parseLong(line.replaceAll("\\D", "")) * 1024;
      }
    }
    return sum;
  }

  /**
   * Gives the C heap's free memory back to the kernel ({@code malloc_trim(0)} through the JVM's
   * {@code System.trim_native_heap} diagnostic command, JDK 17.0.9 and newer); false when this JVM
   * has no such command.
   */
  static boolean trimNativeHeap() {
    try {
      ManagementFactory.getPlatformMBeanServer()
          .invoke(
              new ObjectName("com.sun.management:type=DiagnosticCommand"),
              "systemTrimNativeHeap",
              new Object[] {null},
              new String[] {String[].class.getName()});
      return true;
    } catch (JMException | RuntimeException e) {
      return false;
    }
  }

  /**
   * The address range the Java heap reserved, from the {@code GC.heap_info} diagnostic command (G1:
   * {@code garbage-first heap total ..., used ... [0x..., 0x...)}); null for another collector or
   * when the command is not there.
   */
  static long[] heapRange() {
    try {
      Object info =
          ManagementFactory.getPlatformMBeanServer()
              .invoke(
                  new ObjectName("com.sun.management:type=DiagnosticCommand"),
                  "gcHeapInfo",
                  new Object[] {null},
                  new String[] {String[].class.getName()});
      Matcher m = HEAP_RANGE.matcher(String.valueOf(info));
      if (m.find()) {
        return new long[] {
          Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16)
        };
      }
    } catch (JMException | RuntimeException e) {
      // no diagnostic commands: fall back on the committed heap
    }
    return null;
  }

  /**
   * Heap in use after the most recent collection, summed over the heap pools; 0 before the first.
   * From the collector's last {@code GcInfo}, not {@code MemoryPoolMXBean.getCollectionUsage()}: G1
   * updates the old generation's collection usage only on mixed and full collections, so that sum
   * stays stale through every young one.
   */
  static long heapAfterGcBytes() {
    Set<String> heapPools = new HashSet<>();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        heapPools.add(pool.getName());
      }
    }
    GcInfo last = null;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      GcInfo info =
          gc instanceof com.sun.management.GarbageCollectorMXBean sun ? sun.getLastGcInfo() : null;
      if (info != null && (last == null || info.getEndTime() > last.getEndTime())) {
        last = info;
      }
    }
    if (last == null) {
      return 0;
    }
    long sum = 0;
    for (var e : last.getMemoryUsageAfterGc().entrySet()) {
      if (heapPools.contains(e.getKey())) {
        sum += e.getValue().getUsed();
      }
    }
    return sum;
  }
}
