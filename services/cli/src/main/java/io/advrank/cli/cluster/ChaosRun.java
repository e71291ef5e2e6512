package io.advrank.cli.cluster;

import io.advrank.cli.cluster.ChaosReport.Fault;
import io.advrank.runtime.lifecycle.TempDirectory;
import io.advrank.runtime.topic.Topics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The fault run behind {@code cluster chaos}: brings a cluster up, and once the producer sends,
 * kills with SIGKILL, at a fifth of the traffic time, the broker that coordinates the rankers'
 * consumer group and the last attack-worker, restarts them after {@code down}; at half time kills
 * and restarts the last ranker the same way. A sampler notes the attack-worker and ranker groups'
 * lag and the rankings' end offsets every second; when the traffic ends, {@link DeliveryAudit} runs
 * until every sent event has come through (or the drain timeout) and gives the counts.
 */
final class ChaosRun implements Callable<ChaosReport> {
  private static final String WORKER_GROUP = "advrank-attack-worker";
  private static final String RANKER_GROUP = "advrank-ranker";
  private static final Duration SAMPLE_EVERY = Duration.ofSeconds(1);

  /**
   * How long a restarted process may take to be healthy before the run counts it as not back and
   * goes on to the audit: a broker took 186 s at load average 50 on two cores.
   */
  private static final Duration HEALTHY_WITHIN = Duration.ofSeconds(300);

  /** One sample: seconds after traffic start, the two groups' lag (-1: no answer), rankings. */
  private record Sample(double at, long lag, long rankings) {}

  private final ClusterPlan plan;
  private final int prometheusPort;
  private final Duration traffic;
  private final Duration down;
  private final Duration drain;
  private final String command;
  private final PrintStream out;
  private final List<Sample> samples = new ArrayList<>();
  private volatile long t0;

  ChaosRun(
      ClusterPlan plan,
      int prometheusPort,
      Duration traffic,
      Duration down,
      Duration drain,
      String command,
      PrintStream out) {
    this.plan = plan;
    this.prometheusPort = prometheusPort;
    this.traffic = traffic;
    this.down = down;
    this.drain = drain;
    this.command = command;
    this.out = out;
  }

  @Override
  public ChaosReport call() throws Exception {
    // A fresh cluster every run: the data of an earlier run in this directory would be counted
    // (and its brokers' metadata belongs to another cluster id).
    TempDirectory.deleteRecursively(plan.dir().resolve("data"));
    ClusterProcesses processes =
        LocalCluster.up(plan, prometheusPort, out, () -> t0 = System.nanoTime());
    out.print(StatusReport.processes(processes));
    String scraped = StatusReport.prometheusLine(processes);
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    ExecutorService waits = Executors.newCachedThreadPool();
    try (ClusterInspector inspector = new ClusterInspector(plan.bootstrapServers())) {
      sampler.scheduleAtFixedRate(
          () -> sample(inspector), 0, SAMPLE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
      List<Future<Fault>> faults = new ArrayList<>();
      // Restarts happen on schedule; waiting for a restarted process to be healthy (a broker
      // took 40 s on two busy cores) runs aside, so it does not push the next fault back.
      sleepUntil(traffic.toMillis() / 5);
      String broker = "broker-" + inspector.coordinator(RANKER_GROUP).orElse(2);
      List<Pending> first =
          List.of(
              kill(processes, broker),
              kill(processes, "attack-worker-" + (plan.attackWorkers() - 1)));
      sleepUntil(first.get(0).killedAtMs() + down.toMillis());
      for (Pending p : first) {
        faults.add(restart(processes, inspector, p, waits));
      }
      sleepUntil(traffic.toMillis() / 2);
      Pending ranker = kill(processes, "ranker-" + (plan.rankers() - 1));
      sleepUntil(ranker.killedAtMs() + down.toMillis());
      faults.add(restart(processes, inspector, ranker, waits));
      sleepUntil(traffic.toMillis());
      out.printf("%5.1f s  traffic over; waiting for the pipeline to drain%n", now());
      List<Fault> done = new ArrayList<>();
      for (Future<Fault> f : faults) {
        done.add(f.get(HEALTHY_WITHIN.toSeconds() + 30, TimeUnit.SECONDS));
      }
      DeliveryAudit audit = new DeliveryAudit(plan.bootstrapServers());
      double trafficEnd = now();
      DeliveryAudit.Result result = audit.run();
      long drainEnd = System.nanoTime() + drain.toNanos();
      while (!result.complete() && System.nanoTime() < drainEnd) {
        Thread.sleep(5_000);
        result = audit.run();
      }
      double drained = now() - trafficEnd;
      sampler.shutdownNow();
      return report(done, result, trafficEnd, drained, scraped);
    } finally {
      sampler.shutdownNow();
      waits.shutdownNow();
    }
  }

  /** A killed process waiting for its restart. */
  private record Pending(String name, long killedAtMs) {}

  private Pending kill(ClusterProcesses processes, String name) {
    processes.kill(name);
    out.printf("%5.1f s  kill -9 %s%n", now(), name);
    return new Pending(name, millis());
  }

  /** Restarts now; the returned future completes once the process is healthy again. */
  private Future<Fault> restart(
      ClusterProcesses processes, ClusterInspector inspector, Pending p, ExecutorService waits)
      throws Exception {
    double restartedAt = now();
    ClusterProcesses.Entry e = processes.restart(p.name());
    out.printf("%5.1f s  restarted %s (pid %d)%n", restartedAt, p.name(), e.pid());
    return waits.submit(
        () -> {
          double healthyAt;
          try {
            if (e.spec().role() == ProcessSpec.Role.BROKER) {
              LocalCluster.awaitBrokers(inspector, plan.brokers(), processes, HEALTHY_WITHIN);
            } else {
              LocalCluster.awaitHealthy(processes, p.name(), HEALTHY_WITHIN);
            }
            healthyAt = now();
            out.printf("%5.1f s  %s healthy again%n", healthyAt, p.name());
          } catch (IllegalStateException notBack) {
            // Not back: still count what came through, the report says which one is missing.
            healthyAt = -1;
            out.printf(
                "%5.1f s  %s NOT healthy again: %s%n", now(), p.name(), notBack.getMessage());
          }
          return new Fault(p.name(), p.killedAtMs() / 1000.0, restartedAt, healthyAt, 0, 0, 0, 0);
        });
  }

  private void sample(ClusterInspector inspector) {
    long lag;
    long rankings;
    try {
      lag = inspector.lag(WORKER_GROUP) + inspector.lag(RANKER_GROUP);
      rankings = inspector.endOffsets(Topics.RANKINGS.name());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (Exception e) {
      lag = -1;
      rankings = -1;
    }
    synchronized (samples) {
      samples.add(new Sample(now(), lag, rankings));
    }
  }

  /** Fills in each fault's recovery from the samples, and the run's peak lag. */
  private ChaosReport report(
      List<Fault> faults,
      DeliveryAudit.Result audit,
      double trafficEnd,
      double drained,
      String scraped) {
    List<Sample> s;
    synchronized (samples) {
      s = List.copyOf(samples);
    }
    Sample peak =
        s.stream().max((a, b) -> Long.compare(a.lag(), b.lag())).orElse(new Sample(0, 0, 0));
    List<Fault> measured = new ArrayList<>();
    for (Fault f : faults) {
      long before =
          s.stream()
              .filter(x -> x.at() < f.killedAt() && x.lag() >= 0)
              .reduce((a, b) -> b)
              .map(Sample::lag)
              .orElse(0L);
      Optional<Sample> back =
          s.stream()
              .filter(x -> x.at() >= f.restartedAt() && x.at() >= f.healthyAfter())
              .filter(x -> x.lag() >= 0 && x.lag() <= before + 10)
              .findFirst();
      double until = back.map(Sample::at).orElse(trafficEnd);
      long peakLag = 0;
      double gap = 0;
      double lastChange = f.killedAt();
      long lastRankings = -1;
      for (Sample x : s) {
        if (x.at() < f.killedAt() || x.at() > until) {
          continue;
        }
        peakLag = Math.max(peakLag, x.lag());
        if (x.rankings() >= 0 && x.rankings() != lastRankings) {
          lastRankings = x.rankings();
          lastChange = x.at();
        }
        gap = Math.max(gap, x.at() - lastChange);
      }
      measured.add(
          new Fault(
              f.killed(),
              round(f.killedAt()),
              round(f.restartedAt()),
              f.healthyAfter() < 0 ? -1 : round(f.healthyAfter() - f.killedAt()),
              back.filter(x -> f.healthyAfter() >= 0)
                  .map(x -> round(x.at() - f.killedAt()))
                  .orElse(-1.0),
              before,
              peakLag,
              round(gap)));
    }
    return new ChaosReport(
        command,
        measured,
        peak.lag(),
        round(peak.at()),
        round(trafficEnd),
        round(drained),
        scraped,
        audit);
  }

  private void sleepUntil(long msAfterStart) throws InterruptedException {
    long wait = msAfterStart - millis();
    if (wait > 0) {
      Thread.sleep(wait);
    }
  }

  private long millis() {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  private double now() {
    return millis() / 1000.0;
  }

  private static double round(double x) {
    return Math.round(x * 10) / 10.0;
  }
}
