package io.advrank.defensetrainer;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Structure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * glibc's malloc figures ({@code mallinfo2}, all arenas) and {@code malloc_trim}, through JNA:
 * bytes in use by live allocations versus bytes freed but kept by the allocator tell a leak from
 * fragmentation.
 */
final class MallocStats {
  static final String HEADER = "arena_mib  in_use_mib  free_mib  mmap_mib";

  private MallocStats() {}

  /** {@code struct mallinfo2}: ten size_t fields. */
  @Structure.FieldOrder({
    "arena",
    "ordblks",
    "smblks",
    "hblks",
    "hblkhd",
    "usmblks",
    "fsmblks",
    "uordblks",
    "fordblks",
    "keepcost"
  })
  public static class Info extends Structure implements Structure.ByValue {
    public long arena;
    public long ordblks;
    public long smblks;
    public long hblks;
    public long hblkhd;
    public long usmblks;
    public long fsmblks;
    public long uordblks;
    public long fordblks;
    public long keepcost;
  }

  interface C extends Library {
    C LIB = Native.load("c", C.class);

    Info mallinfo2();

    int malloc_trim(long pad);
  }

  /** Arena bytes (sbrk and arena heaps), in use, free in them, and mmapped chunks, in MiB. */
  static String read() {
    Info i = C.LIB.mallinfo2();
    return String.format(
        "%9.1f  %10.1f  %8.1f  %8.1f",
        mib(i.arena), mib(i.uordblks), mib(i.fordblks), mib(i.hblkhd));
  }

  static long inUseBytes() {
    return C.LIB.mallinfo2().uordblks;
  }

  static void trim() {
    C.LIB.malloc_trim(0);
  }

  /** VmRSS of this process in bytes. */
  static long rssBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }

  private static double mib(long bytes) {
    return bytes / 1048576.0;
  }
}
