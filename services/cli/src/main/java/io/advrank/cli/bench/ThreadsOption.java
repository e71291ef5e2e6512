package io.advrank.cli.bench;

import io.advrank.core.model.EngineThreads;
import picocli.CommandLine.Option;

/**
 * {@code --threads} for the benchmarks: all of the machine's cores by default, as a plain PyTorch
 * loop beside them would use, rather than the launcher's one thread per pool for the services.
 */
final class ThreadsOption {
  @Option(
      names = "--threads",
      description = "libtorch intra-op threads (default: all cores of this machine).")
  Integer threads;

  /** Sets the engine's threads and returns their number. */
  int apply() {
    int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    if (n < 1) {
      throw new IllegalArgumentException("--threads: must be >= 1, was " + n);
    }
    EngineThreads.set(n);
    return EngineThreads.get();
  }
}
