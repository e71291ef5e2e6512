/**
 * Benchmarks of the science alone, without Kafka: attack steps per second by batch size ({@link
 * io.advrank.core.bench.AttackBenchmark}), a model's forward and backward speed ({@link
 * io.advrank.core.bench.ModelBenchmark}), and a device check that runs the same work on a GPU
 * ({@link io.advrank.core.bench.DeviceCheck}). {@code advrank bench attack|model} print them.
 */
package io.advrank.core.bench;
