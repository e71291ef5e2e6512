package io.advrank.cli.bench;

import io.advrank.runtime.model.SwapStages;
import io.advrank.runtime.model.SwapStages.Stage;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where each hot swap of {@code bench swap} spent its time, per service: the deltas of {@code
 * advrank_model_swap_stage_seconds} around one swap, plus when the bench saw each service serve the
 * version. Every figure is in seconds; medians over all swaps make the summary.
 */
final class BenchSwapBreakdown {
  static final List<String> SERVICES = List.of("ranker", "attack-worker");

  /** One swap: publishing it, each service's stages, and when each service served it. */
  record Swap(double publish, double[][] stages, double[] served) {}

  private final MeterRegistry registry;
  private final List<Swap> swaps = new ArrayList<>();
  private double[][] mark;

  BenchSwapBreakdown(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Notes the stage totals before a swap. */
  void mark() {
    mark = totals();
  }

  /** Adds the swap since {@link #mark()}; {@code served} in the order of {@link #SERVICES}. */
  Swap add(double publish, double[] served) {
    double[][] now = totals();
    double[][] delta = new double[SERVICES.size()][Stage.values().length];
    for (int s = 0; s < delta.length; s++) {
      for (int t = 0; t < delta[s].length; t++) {
        delta[s][t] = now[s][t] - mark[s][t];
      }
    }
    Swap swap = new Swap(publish, delta, served.clone());
    swaps.add(swap);
    return swap;
  }

  /** One line for the progress log. */
  static String line(Swap swap) {
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "publish %.2f", swap.publish()));
    for (int i = 0; i < SERVICES.size(); i++) {
      s.append(String.format(Locale.ROOT, "; %s", SERVICES.get(i)));
      for (Stage t : Stage.values()) {
        s.append(String.format(Locale.ROOT, " %s %.2f", t.label(), swap.stages()[i][t.ordinal()]));
      }
      s.append(String.format(Locale.ROOT, " -> served %.2f", swap.served()[i]));
    }
    return s.toString();
  }

  /** Median seconds per service and stage (and {@code served}, {@code publish}), for JSON. */
  Map<String, Object> medians() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("publish", median(swaps.stream().mapToDouble(Swap::publish).toArray()));
    for (int i = 0; i < SERVICES.size(); i++) {
      int s = i;
      Map<String, Double> stages = new LinkedHashMap<>();
      for (Stage t : Stage.values()) {
        stages.put(t.label(), median(swaps.stream().mapToDouble(w -> w.stages()[s][t.ordinal()])));
      }
      stages.put("served", median(swaps.stream().mapToDouble(w -> w.served()[s])));
      out.put(SERVICES.get(i), stages);
    }
    return out;
  }

  /** The medians as a table. */
  String table() {
    Map<String, Object> m = medians();
    StringBuilder s =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "where the time goes (median s over %d swaps; publish %.2f s):%n%-9s",
                swaps.size(),
                (Double) m.get("publish"),
                "stage"));
    SERVICES.forEach(name -> s.append(String.format(Locale.ROOT, " %14s", name)));
    s.append('\n');
    List<String> rows = new ArrayList<>();
    Arrays.stream(Stage.values()).forEach(t -> rows.add(t.label()));
    rows.add("served");
    for (String row : rows) {
      s.append(String.format(Locale.ROOT, "%-9s", row));
      for (String name : SERVICES) {
        @SuppressWarnings("unchecked")
        Map<String, Double> stages = (Map<String, Double>) m.get(name);
        s.append(String.format(Locale.ROOT, " %14.2f", stages.get(row)));
      }
      s.append('\n');
    }
    s.append("(served: from the start of publishing until the bench saw the service serve it)\n");
    return s.toString();
  }

  private double[][] totals() {
    double[][] out = new double[SERVICES.size()][Stage.values().length];
    for (int s = 0; s < out.length; s++) {
      for (Stage t : Stage.values()) {
        out[s][t.ordinal()] = SwapStages.totalSeconds(registry, SERVICES.get(s), t);
      }
    }
    return out;
  }

  private static double median(java.util.stream.DoubleStream values) {
    return median(values.toArray());
  }

  private static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
