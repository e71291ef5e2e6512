package io.advrank.attackworker;

import io.advrank.core.attack.AttackRequest;
import io.advrank.core.attack.AttackType;
import io.advrank.core.attack.TargetSampler;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.core.ranking.TopK;
import io.advrank.serving.GallerySnapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Chooses each attacked event's targets in the gallery as the paper does (docs/method.md): Q for
 * CA+ and C for QA+ uniformly; Q for CA- and C for QA- from the event's top-1% neighbours; for
 * SP-QA± the kept set C_SP, the query's original top-5 that are not targets. A campaign's fixed
 * {@code targets=} replace the drawn C.
 *
 * <p>Core's {@code TargetSampler} samples for items that are gallery rows; streamed queries are
 * not, so this class searches the neighbours of the event's own clean embedding and draws with
 * core's rules ({@link TargetSampler#drawTargets}, {@link TargetSampler#keptSet}), from a {@link
 * Random} seeded per event so a replay draws the same targets from the same gallery.
 */
final class Targeting {
  /** A request ready for the attacker, and its targets as item ids for the wire. */
  record Plan(InboundEvent event, AttackRequest request, List<String> targetIds) {}

  private Targeting() {}

  /**
   * Plans every event of one campaign line against {@code gallery}; events whose fixed targets are
   * not in the gallery yet get no plan (they pass unattacked).
   *
   * @throws IllegalArgumentException if the gallery is too small for the attack's size
   */
  static List<Plan> plan(
      EmbeddingModel model,
      GallerySnapshot gallery,
      CampaignAttack attack,
      List<InboundEvent> events,
      Campaign campaign) {
    TargetSampler.checkSize(attack.spec(0), gallery.size());
    AttackType type = attack.type();
    int pool =
        type.targetsNeighbours() ? TargetSampler.neighbourPool(gallery.size(), attack.size()) : 0;
    int k = TargetSampler.neighboursNeeded(type, attack.size(), gallery.size());
    int[] self = events.stream().mapToInt(e -> selfRow(gallery, e)).toArray();
    TopK top = k > 0 ? gallery.index().topK(embed(model, events), k, self) : null;
    List<Plan> plans = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      InboundEvent e = events.get(i);
      Random random = new Random(campaign.eventSeed(e.event().getEventId()));
      int[] targets =
          targets(gallery, attack, self[i], top == null ? null : top.idsOf(i), pool, random);
      if (targets == null) {
        continue;
      }
      int[] preserve =
          type.semanticsPreserving() ? TargetSampler.keptSet(top.idsOf(i), targets) : new int[0];
      List<String> ids = Arrays.stream(targets).mapToObj(gallery::itemId).toList();
      plans.add(new Plan(e, new AttackRequest(e.pixels(), targets, preserve, self[i]), ids));
    }
    return plans;
  }

  private static int selfRow(GallerySnapshot gallery, InboundEvent e) {
    // Only a catalog item can have a clean copy in the gallery; queries are never gallery rows.
    return e.catalog() ? gallery.selfRow(e.event().getItemId(), e.event().getEventId()) : -1;
  }

  private static Embeddings embed(EmbeddingModel model, List<InboundEvent> events) {
    int size = model.spec().imageSize();
    float[] pixels = new float[events.size() * size];
    for (int i = 0; i < events.size(); i++) {
      System.arraycopy(events.get(i).pixels(), 0, pixels, i * size, size);
    }
    return model.embed(pixels, events.size());
  }

  /** The target rows, or null when a fixed target is not in the gallery. */
  private static int[] targets(
      GallerySnapshot gallery,
      CampaignAttack attack,
      int self,
      int[] neighbours,
      int pool,
      Random random) {
    if (!attack.targets().isEmpty()) {
      int[] rows = attack.targets().stream().mapToInt(gallery::rowOf).toArray();
      return Arrays.stream(rows).anyMatch(r -> r < 0) ? null : rows;
    }
    return TargetSampler.drawTargets(
        attack.type(), gallery.size(), self, neighbours, pool, attack.size(), random);
  }
}
