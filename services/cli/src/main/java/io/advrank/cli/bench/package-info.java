/**
 * {@code advrank bench}: the benchmarks and experiments, apart from the tools and services the CLI
 * runs. {@code attack} and {@code model} print the science's figures ({@code io.advrank.bench});
 * {@code pipeline} times the services end to end on a broker, {@code swap} a model hot swap, {@code
 * fuzz} feeds every topic malformed records, {@code detect} replays attacks through the monitor's
 * real topology in-process ({@code TopologyTestDriver}, the reason the CLI carries
 * kafka-streams-test-utils) and {@code soak} runs the demo for a long while and judges its memory
 * and lag. Only {@link io.advrank.cli.bench.BenchCommand} is public; the CLI's shared options
 * ({@code DataOptions}, {@code ModelOptions}, {@code OutputOptions}, ...) are public for this
 * package's commands.
 */
package io.advrank.cli.bench;
