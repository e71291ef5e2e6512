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
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      manager.zeros(new Shape(1)).close(); // libtorch loaded and its first allocations made
      long before = NativeHeap.inUseBytes();
      NDArray array = manager.ones(new Shape(SIZE / 4));
      long held = NativeHeap.inUseBytes();
      array.close();
      long after = NativeHeap.inUseBytes();
      assertTrue(held - before >= SIZE, "a 64 MiB array added " + ((held - before) >> 20) + " MiB");
      assertTrue(held - after >= SIZE, "closing it freed " + ((held - after) >> 20) + " MiB");
      assertTrue(NativeHeap.rssBytes() > SIZE);
    }
  }
}
