package io.advrank.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import io.advrank.core.attack.AttackEvaluation;
import io.advrank.core.attack.AttackProfile;
import io.advrank.core.attack.AttackSpec;
import io.advrank.core.attack.AttackType;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.Fixtures;
import io.advrank.core.data.ImageDataset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * 200 attacks on a ResNet-18 leave no native memory behind. The network is exported by
 * models/examples/export_resnet18.py (Debian's python3-torch and python3-torchvision), which the
 * suite must not need: the test runs when {@code ADVRANK_RESNET18} names such a file exported at
 * {@value #SIDE} px, as {@code .ci/run} does, and is skipped otherwise. {@value #SIDE} px is a
 * quarter of the work of 224 px; at batch {@value #BATCH} conv 1's output (100×64×56×56 floats, 80
 * MiB) is larger than a malloc arena's heap, as a ResNet-18's is at 224 px and batch 32.
 *
 * <p>Resident memory alone cannot judge this: under glibc's default arenas it swung by a gigabyte
 * between runs of 100 attacks with no slope (1920, 859, 843, 886 MB), the allocator keeping what
 * libtorch freed. glibc's own count of bytes in use moves only when something is allocated and
 * never freed, so the test bounds that, and resident memory after {@code malloc_trim}.
 */
@EnabledIfEnvironmentVariable(named = "ADVRANK_RESNET18", matches = ".+")
class ResNet18MemoryTest {
  static final int SIDE = 112;
  static final int BATCH = 100;
  static final int RUNS = 2;

  @TempDir Path tmp;

  @Test
  void twoHundredAttacksOnAResNet18LeaveNoNativeMemoryBehind() throws Exception {
    assumeTrue(NativeHeap.available(), "glibc's mallinfo2 is needed");
    ModelImport.run(
        Path.of(System.getenv("ADVRANK_RESNET18")),
        ModelImportTest.rgb(3, SIDE),
        tmp,
        Device.cpu());
    ImageDataset photos =
        DatasetDirectory.load(
            Fixtures.rgbMini().resolve("images"), DatasetDirectory.Split.TEST, 3, SIDE, SIDE);
    AttackSpec spec = new AttackSpec(AttackType.CA_PLUS, 8.0 / 255, 1, 0, AttackProfile.ROB224);
    try (EmbeddingModel model = EmbeddingModel.load(tmp, Device.cpu());
        AttackEvaluation evaluation = AttackEvaluation.of(model, photos)) {
      evaluation.run(spec, BATCH, BATCH, n -> {}); // warm-up: oneDNN's kernels and caches
      List<Sample> samples = new ArrayList<>();
      samples.add(Sample.take(model));
      for (int i = 0; i < RUNS; i++) {
        evaluation.run(spec, BATCH, BATCH, n -> {});
        samples.add(Sample.take(model));
      }
      System.out.println("ResNet-18 " + SIDE + " px, CA+ rob224 at batch " + BATCH);
      System.out.println("attacks  arrays  in_use_mib  trimmed_rss_mib");
      for (int i = 0; i < samples.size(); i++) {
        Sample s = samples.get(i);
        System.out.printf(
            "%7d  %6d  %10.1f  %15.1f%n", i * BATCH, s.arrays, mib(s.inUse), mib(s.trimmedRss));
      }
      Sample first = samples.get(0);
      Sample last = samples.get(samples.size() - 1);
      assertEquals(first.arrays, last.arrays, "arrays left on the model's manager");
      // One leaked activation of one step is 80 MiB here; a step that kept its activations would
      // keep them 6,400 times over.
      long inUse = last.inUse - first.inUse;
      assertTrue(inUse < 32L << 20, "C allocations in use grew by " + (inUse >> 20) + " MB");
      long rss = last.trimmedRss - first.trimmedRss;
      assertTrue(rss < 128L << 20, "resident memory after trimming grew by " + (rss >> 20) + " MB");
    }
  }

  private static double mib(long bytes) {
    return bytes / 1048576.0;
  }

  private record Sample(int arrays, long inUse, long trimmedRss) {
    /**
     * The fewest bytes in use over five readings 100 ms apart: other threads of the JVM (the JIT
     * compilers among them) hold transient C allocations (CI read +28.6 MiB once, gone 100 attacks
     * later), while a leak is there in every reading.
     */
    static Sample take(EmbeddingModel model) throws Exception {
      System.gc(); // DJL frees arrays a step forgot only when they are collected: let it show
      NativeHeap.trim();
      long inUse = Long.MAX_VALUE;
      for (int i = 0; i < 5; i++) {
        Thread.sleep(100);
        inUse = Math.min(inUse, NativeHeap.inUseBytes());
      }
      return new Sample(model.manager().getManagedArrays().size(), inUse, NativeHeap.rssBytes());
    }
  }
}
