package io.advrank.cli.cluster;

import io.advrank.cli.cluster.DeliveryAudit.Tally;
import java.util.List;

/**
 * What {@code cluster chaos} measured: every fault with its timings, the peak consumer lag, and the
 * audit by event id.
 *
 * @param faults the faults, in order
 * @param peakLag highest summed lag of the attack-worker and ranker groups over the run
 * @param peakLagAtSeconds when it was reached, seconds after traffic started
 * @param trafficSeconds how long the producer sent queries
 * @param drainSeconds from the producer's end until the audit was complete (or gave up)
 * @param scraped whether Prometheus scraped every service once the cluster was up
 * @param audit the counts by event id
 */
record ChaosReport(
    String command,
    List<Fault> faults,
    long peakLag,
    double peakLagAtSeconds,
    double trafficSeconds,
    double drainSeconds,
    String scraped,
    DeliveryAudit.Result audit) {

  /**
   * One fault. Times are seconds after traffic started; {@code recoveredAfter} is from the kill
   * until the killed process was back healthy and the groups' lag was back at most {@code
   * lagBefore} + 10 (the markers of transactions count as offsets); {@code longestAnswerGap} is the
   * longest time without a new ranking between the kill and recovery.
   */
  record Fault(
      String killed,
      double killedAt,
      double restartedAt,
      double healthyAfter,
      double recoveredAfter,
      long lagBefore,
      long peakLag,
      double longestAnswerGap) {}

  /** Every event exactly once, and every killed process healthy again. */
  boolean exact() {
    return audit.exact() && faults.stream().allMatch(f -> f.healthyAfter() >= 0);
  }

  String text() {
    StringBuilder b = new StringBuilder();
    b.append("== chaos report (").append(command).append(")\n");
    b.append(
        String.format(
            "traffic %.0f s, drained in %.1f s after the producer stopped%n",
            trafficSeconds, drainSeconds));
    b.append(scraped).append('\n');
    b.append("faults (seconds after traffic started; recovery counted from the kill):\n");
    for (Fault f : faults) {
      b.append(
          String.format(
              "  kill -9 %-16s at %5.1f  restarted at %5.1f  healthy after %s  "
                  + "recovered after %s  lag before %d, peak %d  longest gap without a ranking %.1f s%n",
              f.killed(),
              f.killedAt(),
              f.restartedAt(),
              f.healthyAfter() < 0 ? "NEVER" : String.format("%5.1f", f.healthyAfter()),
              f.recoveredAfter() < 0 ? "never" : String.format("%5.1f", f.recoveredAfter()),
              f.lagBefore(),
              f.peakLag(),
              f.longestAnswerGap()));
    }
    b.append(
        String.format(
            "peak lag (attack-worker + ranker groups): %d at %.1f s%n", peakLag, peakLagAtSeconds));
    b.append(
        String.format(
            "%-42s %8s %8s %6s %10s %10s%n",
            "by event id", "expected", "seen", "lost", "duplicated", "unexpected"));
    for (Tally t : audit.tallies()) {
      b.append(
          String.format(
              "%-42s %8d %8d %6d %10d %10d%n",
              t.stage(), t.expected(), t.seen(), t.lost(), t.duplicated(), t.unexpected()));
    }
    b.append("dead letters: ").append(audit.deadLetters()).append('\n');
    int lost = audit.tallies().stream().mapToInt(Tally::lost).sum();
    int duplicated = audit.tallies().stream().mapToInt(Tally::duplicated).sum();
    long notBack = faults.stream().filter(f -> f.healthyAfter() < 0).count();
    b.append(
        String.format(
            "RESULT: %d lost, %d duplicated%s%s%n",
            lost,
            duplicated,
            notBack > 0 ? ", " + notBack + " killed process(es) not healthy again" : "",
            exact() ? "" : "  (NOT EXACT)"));
    return b.toString();
  }
}
