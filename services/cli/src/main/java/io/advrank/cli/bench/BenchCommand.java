package io.advrank.cli.bench;

import picocli.CommandLine.Command;

/** {@code advrank bench}: throughput benchmarks that print figures. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks that print throughput figures.",
    subcommands = {
      BenchModelCommand.class,
      BenchAttackCommand.class,
      BenchPipelineCommand.class,
      BenchDetectCommand.class,
      BenchSwapCommand.class,
      BenchFuzzCommand.class,
      BenchSoakCommand.class
    })
public final class BenchCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
