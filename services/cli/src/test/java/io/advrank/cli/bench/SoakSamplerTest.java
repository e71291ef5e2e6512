package io.advrank.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SoakSamplerTest {
  private static final long MIB = 1024 * 1024;

  @Test
  void sumsTheResidentPagesOfTheMappingsInsideTheHeap() {
    List<String> smaps =
        List.of(
            "00400000-00401000 r-xp 00000000 08:01 1 /usr/bin/java",
            "Rss:                   4 kB",
            "687400000-6c3c00000 rw-p 00000000 00:00 0 ",
            "Size:             991232 kB",
            "Rss:              824140 kB",
            "6c3c00000-800000000 ---p 00000000 00:00 0 ",
            "Rss:                   0 kB",
            "7f7fa0000000-7f7fa8000000 rw-p 00000000 00:00 0 ",
            "Rss:               37640 kB");
    assertEquals(
        824140L * 1024, SoakSampler.residentIn(smaps, 0x687400000L, 0x800000000L), "heap only");
  }

  /**
   * The heap's untouched committed pages are no memory held: the off-heap figure must not rise when
   * the heap's pages are first written (RSS up, committed heap flat, resident heap up as much).
   */
  @Test
  void offHeapDoesNotGrowWhenTheCommittedHeapIsFirstTouched() {
    SoakSample before = sample(2000 * MIB, 1500 * MIB, 800 * MIB);
    SoakSample after = sample(2400 * MIB, 1500 * MIB, 1200 * MIB);
    assertEquals(before.offHeapBytes(), after.offHeapBytes());
    assertEquals(1200 * MIB, after.offHeapBytes());
  }

  @Test
  void fallsBackOnTheCommittedHeapWhenTheResidentOneIsUnknown() {
    assertEquals(500 * MIB, sample(2000 * MIB, 1500 * MIB, -1).offHeapBytes());
  }

  /** On Linux with G1 (this build's JVM), the heap's resident pages are found and plausible. */
  @Test
  void measuresThisProcessesResidentHeap() {
    if (!Files.exists(Path.of("/proc/self/smaps"))
        || ManagementFactory.getGarbageCollectorMXBeans().stream()
            .noneMatch(gc -> gc.getName().startsWith("G1"))) {
      return; // not Linux or not G1: the sampler falls back on the committed heap
    }
    long[] range = SoakSampler.heapRange();
    assertNotNull(range, "GC.heap_info gave no heap range");
    byte[][] touched = new byte[64][];
    for (int i = 0; i < touched.length; i++) {
      touched[i] = new byte[1024 * 1024];
      java.util.Arrays.fill(touched[i], (byte) 1);
    }
    long resident = SoakSampler.residentIn(readSmaps(), range[0], range[1]);
    long committed = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
    assertTrue(
        resident >= 64 * MIB, "resident heap " + resident + " below the 64 MiB just written");
    assertTrue(
        resident <= committed + 16 * MIB,
        "resident heap " + resident + " > committed " + committed);
    assertEquals(64, touched.length);
  }

  private static List<String> readSmaps() {
    try {
      return Files.readAllLines(Path.of("/proc/self/smaps"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static SoakSample sample(long rss, long committed, long resident) {
    return new SoakSample(60, rss, committed, resident, 300 * MIB, 200 * MIB, -1, 100, 10, -1);
  }
}
