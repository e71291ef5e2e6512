package io.advrank.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.runtime.model.SwapStages;
import io.advrank.runtime.model.SwapStages.Stage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchSwapBreakdownTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final SwapStages ranker = new SwapStages(registry, "ranker");
  private final SwapStages worker = new SwapStages(registry, "attack-worker");

  @Test
  void eachSwapGetsOnlyTheStageTimeSpentSinceItsMark() {
    ranker.record(Stage.REEMBED, seconds(9)); // before the bench's first mark: not a swap of it
    BenchSwapBreakdown breakdown = new BenchSwapBreakdown(registry);
    breakdown.mark();
    ranker.record(Stage.REEMBED, seconds(3));
    worker.record(Stage.REEMBED, seconds(2));
    worker.record(Stage.LOAD, seconds(1));
    BenchSwapBreakdown.Swap swap = breakdown.add(0.5, new double[] {4, 3.5});

    assertEquals(3, swap.stages()[0][Stage.REEMBED.ordinal()], 1e-9);
    assertEquals(0, swap.stages()[0][Stage.LOAD.ordinal()], 1e-9);
    assertEquals(2, swap.stages()[1][Stage.REEMBED.ordinal()], 1e-9);
    assertEquals(1, swap.stages()[1][Stage.LOAD.ordinal()], 1e-9);
    assertTrue(BenchSwapBreakdown.line(swap).contains("attack-worker transfer 0.00 load 1.00"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void summaryIsTheMedianOverSwaps() {
    BenchSwapBreakdown breakdown = new BenchSwapBreakdown(registry);
    double[] reembed = {5, 1, 3};
    for (double r : reembed) {
      breakdown.mark();
      ranker.record(Stage.REEMBED, seconds(r));
      breakdown.add(0.1 * r, new double[] {r + 1, r});
    }
    Map<String, Object> medians = breakdown.medians();
    Map<String, Double> rankerMedians = (Map<String, Double>) medians.get("ranker");
    assertEquals(3, rankerMedians.get("reembed"), 1e-9);
    assertEquals(4, rankerMedians.get("served"), 1e-9);
    assertEquals(0.3, (Double) medians.get("publish"), 1e-9);
    assertTrue(breakdown.table().contains("reembed"));
  }

  private static long seconds(double s) {
    return Duration.ofMillis(Math.round(s * 1000)).toNanos();
  }
}
