package io.advrank.core.model;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** glibc's count of bytes in use sees libtorch's allocations come and go. */
class NativeHeapTest {
  static final long SIZE = 64L << 20;

  @Test
  void bytesInUseFollowALibtorchArray() throws Exception {
    assumeTrue(NativeHeap.available(), "glibc's mallinfo2 is needed");
    // The count is the whole process's: in a JVM shared with other tests, a cleaner thread may
    // free (or allocate) native memory between two readings (CI saw "added 62 MiB" once), so the
    // array is made three times and the clearest reading of each direction counts.
    long added = 0;
    long freed = 0;
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      manager.zeros(new Shape(1)).close(); // libtorch loaded and its first allocations made
      for (int i = 0; i < 3; i++) {
        long before = NativeHeap.inUseBytes();
        NDArray array = manager.ones(new Shape(SIZE / 4));
        long held = NativeHeap.inUseBytes();
        array.close();
        long after = NativeHeap.inUseBytes();
        added = Math.max(added, held - before);
        freed = Math.max(freed, held - after);
      }
    }
    assertTrue(added >= SIZE, "a 64 MiB array added at most " + (added >> 20) + " MiB");
    assertTrue(freed >= SIZE, "closing it freed at most " + (freed >> 20) + " MiB");
    assertTrue(NativeHeap.rssBytes() > SIZE);
  }
}
