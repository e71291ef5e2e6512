/**
 * Benchmarks of the science alone, without Kafka: attack throughput by batch size ({@link
 * io.advrank.bench.AttackBenchmark}), a network's forward and backward speed ({@link
 * io.advrank.bench.ModelBenchmark}), and a device check that runs the same work and an EST step on
 * a GPU ({@link io.advrank.bench.DeviceCheck}, run by {@code deploy/gpu/proof.sh}). Out of core so
 * that the science library holds no benchmark; depending on core alone so that the device check
 * runs with core's and this module's jars on a machine without Kafka. {@code advrank bench
 * attack|model} print the first two ({@code io.advrank.cli.bench}).
 */
package io.advrank.bench;
