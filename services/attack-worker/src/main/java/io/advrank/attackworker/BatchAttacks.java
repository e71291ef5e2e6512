package io.advrank.attackworker;

import io.advrank.core.attack.AttackRequest;
import io.advrank.core.attack.AttackResult;
import io.advrank.core.attack.PixelDepth;
import io.advrank.serving.GallerySnapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Runs the attacks of one micro-batch: the chosen events are grouped by campaign line and each
 * group goes through ONE batched PGD run ({@code RankingAttacker.attack} on the whole list), which
 * is what makes the worker fast (docs/method.md §7: batching is the main lever). Knows nothing of
 * Kafka.
 */
final class BatchAttacks {
  private final Campaign campaign;
  private final Clock clock;

  BatchAttacks(Campaign campaign, Clock clock) {
    this.campaign = campaign;
    this.clock = clock;
  }

  /** One outcome per chosen event, grouped by campaign line, in order within each group. */
  List<AttackOutcome> run(GallerySnapshot gallery, Map<InboundEvent, CampaignAttack> chosen) {
    Map<CampaignAttack, List<InboundEvent>> groups = new LinkedHashMap<>();
    chosen.forEach((e, a) -> groups.computeIfAbsent(a, x -> new ArrayList<>()).add(e));
    List<AttackOutcome> out = new ArrayList<>(chosen.size());
    groups.forEach((attack, events) -> out.addAll(runGroup(gallery, attack, events)));
    return out;
  }

  private List<AttackOutcome> runGroup(
      GallerySnapshot gallery, CampaignAttack attack, List<InboundEvent> events) {
    Instant start = clock.instant();
    List<Targeting.Plan> plans;
    try {
      plans = Targeting.plan(gallery.model(), gallery, attack, events, campaign);
    } catch (IllegalArgumentException e) {
      // The gallery is still too small for this attack (e.g. right after start on a new catalog).
      return events.stream()
          .map(
              ev ->
                  AttackOutcome.skipped(
                      ev, attack, "gallery of " + gallery.size() + " items: " + e.getMessage()))
          .toList();
    }
    List<AttackOutcome> out = new ArrayList<>(events.size());
    Set<InboundEvent> planned =
        plans.stream().map(Targeting.Plan::event).collect(Collectors.toSet());
    for (InboundEvent e : events) {
      if (!planned.contains(e)) {
        out.add(AttackOutcome.skipped(e, attack, "a fixed target is not in the gallery yet"));
      }
    }
    if (plans.isEmpty()) {
      return out;
    }
    List<AttackResult> results;
    try {
      List<AttackRequest> requests = plans.stream().map(Targeting.Plan::request).toList();
      // Delivered as 8-bit files, so measured after quantisation (see PixelDepth.UINT8).
      results = gallery.attacker().attack(attack.spec(0), requests, PixelDepth.UINT8);
    } catch (RuntimeException e) {
      plans.forEach(p -> out.add(AttackOutcome.failed(p.event(), attack, e)));
      return out;
    }
    long micros = Math.max(0, Duration.between(start, clock.instant()).toNanos() / 1000);
    for (int i = 0; i < plans.size(); i++) {
      Targeting.Plan p = plans.get(i);
      out.add(
          new AttackOutcome(
              p.event(),
              attack,
              AttackOutcome.Status.ATTACKED,
              results.get(i),
              p.targetIds(),
              plans.size(),
              micros,
              "",
              null));
    }
    return out;
  }
}
