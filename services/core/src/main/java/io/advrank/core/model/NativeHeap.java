package io.advrank.core.model;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Structure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's native memory as libtorch's allocations see it: resident memory, and glibc's own
 * account of what is allocated ({@code mallinfo2}, every arena, through JNA). The two differ by
 * what the allocator freed but keeps: resident memory swings by hundreds of megabytes with that
 * retention, while bytes in use move only when something is allocated and not freed, so they tell a
 * leak from fragmentation. glibc's figures need glibc 2.33 or newer; elsewhere (musl, macOS) {@link
 * #available()} is false.
 */
public final class NativeHeap {
  private NativeHeap() {}

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
    /** Bytes the arenas hold from the system (sbrk and arena heaps). */
    public long arena;

    public long ordblks;
    public long smblks;
    public long hblks;

    /** Bytes in chunks mmapped one by one (allocations above the mmap threshold). */
    public long hblkhd;

    public long usmblks;
    public long fsmblks;

    /** Bytes in use in the arenas. */
    public long uordblks;

    /** Bytes free in the arenas, kept by the allocator. */
    public long fordblks;

    public long keepcost;
  }

  private interface C extends Library {
    Info mallinfo2();

    int malloc_trim(long pad);
  }

  private static final class Glibc {
    static final C LIB = load();

    private static C load() {
      try {
        C c = Native.load("c", C.class);
        c.mallinfo2();
        return c;
      } catch (UnsatisfiedLinkError e) {
        return null;
      }
    }
  }

  /** Whether glibc's figures can be read in this process. */
  public static boolean available() {
    return Glibc.LIB != null;
  }

  /** glibc's figures now, summed over every arena. */
  public static Info info() {
    return glibc().mallinfo2();
  }

  /**
   * Bytes of live C allocations: in use in the arenas plus the chunks mmapped one by one (which
   * glibc unmaps as they are freed).
   */
  public static long inUseBytes() {
    Info i = info();
    return i.uordblks + i.hblkhd;
  }

  /** Gives the arenas' free memory back to the kernel ({@code malloc_trim(0)}). */
  public static void trim() {
    glibc().malloc_trim(0);
  }

  /** VmRSS of this process in bytes; −1 where there is no {@code /proc} (not Linux). */
  public static long rssBytes() {
    return rssBytes(Path.of("/proc/self/status"));
  }

  /** VmRSS of a {@code /proc/<pid>/status} file in bytes; −1 when unreadable. */
  public static long rssBytes(Path status) {
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux, or the process is gone
    }
    return -1;
  }

  private static C glibc() {
    if (Glibc.LIB == null) {
      throw new UnsupportedOperationException("glibc's mallinfo2 is not available in this process");
    }
    return Glibc.LIB;
  }
}
