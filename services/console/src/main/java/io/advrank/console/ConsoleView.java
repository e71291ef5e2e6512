package io.advrank.console;

import io.advrank.proto.v1.AdversarialVariant;
import io.advrank.proto.v1.AnomalyAlert;
import io.advrank.proto.v1.AttackType;
import io.advrank.proto.v1.Hit;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ModelDecision;
import io.advrank.proto.v1.ModelVersion;
import io.advrank.proto.v1.RankShift;
import io.advrank.proto.v1.RankingResult;
import io.advrank.proto.v1.Source;
import io.advrank.runtime.model.ModelAssembler;
import io.advrank.runtime.model.ModelTrust;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the console remembers of the records it consumed, bounded (oldest forgotten first), and the
 * page's JSON built from it. Thread-safe: the feed writes, HTTP threads read.
 */
final class ConsoleView {
  static final int ATTACKS_SHOWN = 9;
  static final int HIJACKS_SHOWN = 3;
  static final int ALERTS_SHOWN = 10;
  static final int BUCKETS_SHOWN = 60;
  static final long BUCKET_MS = 10_000;

  /** Bytes of images kept per topic: 28×28 photos never reach it, 224×224 RGB ones may. */
  static final long IMAGE_BYTES = 64L << 20;

  private final Recent<String, ImageEvent> catalog = images(20_000);
  private final Recent<String, ImageEvent> catalogDelivered = images(20_000);
  private final Recent<String, ImageEvent> queries = images(5_000);
  private final Recent<String, ImageEvent> queriesDelivered = images(5_000);
  private final Recent<String, AdversarialVariant> attacks =
      new Recent<>(500, IMAGE_BYTES, AdversarialVariant::getSerializedSize);
  private final Recent<String, AttackType> attackedSubjects = new Recent<>(50_000);
  private final Recent<String, RankShift> shifts = new Recent<>(5_000);
  private final Recent<String, RankingResult> rankings = new Recent<>(5_000);
  private final Recent<String, AnomalyAlert> alerts = new Recent<>(500);
  private final Recent<String, ModelVersion> versions = new Recent<>(100);
  private final Recent<String, ModelDecision> decisions = new Recent<>(100);
  private final Recent<String, Map.Entry<String, Long>> versionsInUse = new Recent<>(100);
  private final TreeMap<Long, Map<AttackType, double[]>> drift = new TreeMap<>();
  private final Map<String, Long> consumed = new TreeMap<>();
  private String activeVersion = "";
  // What every model feed with the same trusted keys would serve or refuse, and why.
  private final ModelAssembler assembler;
  private final Recent<String, Boolean> servable = new Recent<>(100);
  private final Recent<String, Map<String, Object>> refusals = new Recent<>(100);

  /** A view that checks no signatures: what consumers without trusted keys serve. */
  ConsoleView() {
    this(ModelTrust.NONE);
  }

  /** A view that lists as servable only versions {@code trust} accepts, as the model feeds do. */
  ConsoleView(ModelTrust trust) {
    this.assembler = new ModelAssembler(trust);
  }

  private static Recent<String, ImageEvent> images(int capacity) {
    return new Recent<>(capacity, IMAGE_BYTES, ImageEvent::getSerializedSize);
  }

  synchronized void count(String topic) {
    consumed.merge(topic, 1L, Long::sum);
  }

  /** A clean catalog photo ({@code null}: the item was deleted). */
  synchronized void catalog(String itemId, ImageEvent event, boolean delivered) {
    Recent<String, ImageEvent> map = delivered ? catalogDelivered : catalog;
    if (event == null) {
      map.remove(itemId);
    } else {
      map.put(itemId, event);
    }
  }

  synchronized void query(String queryId, ImageEvent event, boolean delivered) {
    (delivered ? queriesDelivered : queries).put(queryId, event);
  }

  synchronized void adversarial(String subjectId, AdversarialVariant variant) {
    attacks.put(variant.getOriginalEventId(), variant);
    attackedSubjects.put(subjectId, variant.getSpec().getType());
  }

  synchronized void rankShift(RankShift shift) {
    shifts.put(shift.getOriginalEventId(), shift);
    long bucket = Math.floorDiv(shift.getMeasuredAtMs(), BUCKET_MS) * BUCKET_MS;
    double[] sums =
        drift
            .computeIfAbsent(bucket, b -> new TreeMap<>())
            .computeIfAbsent(shift.getAttackType(), t -> new double[3]);
    sums[0]++;
    sums[1] += shift.getRankPercentileBefore();
    sums[2] += shift.getRankPercentileAfter();
    while (drift.size() > BUCKETS_SHOWN) {
      drift.pollFirstEntry();
    }
  }

  synchronized void ranking(RankingResult ranking) {
    rankings.put(ranking.getQueryId(), ranking);
    if (versionsInUse.get(ranking.getModelVersion()) == null) {
      versionsInUse.put(
          ranking.getModelVersion(), Map.entry(ranking.getModelVersion(), ranking.getRankedAtMs()));
    }
  }

  synchronized void alert(AnomalyAlert alert) {
    alerts.put(alert.getAlertId(), alert);
  }

  /**
   * One record of {@code advrank.models}, keyed {@code key}: chunk 0's metadata is listed at once
   * (the weights are not kept here), and the version is assembled and checked as a model feed does
   * ({@link ModelAssembler}: chunks, sha256, signature). A version is servable once complete and
   * accepted, refused (with the reason) otherwise; only a servable version, or one an accepted
   * activation names, becomes the active one.
   */
  synchronized void modelVersion(String key, ModelVersion record) {
    if (!record.getActivation() && record.getChunkIndex() == 0) {
      versions.put(record.getVersion(), record.toBuilder().clearWeights().build());
    }
    for (ModelAssembler.Event e : assembler.feed(key, record)) {
      if (e instanceof ModelAssembler.Complete c) {
        String v = c.model().version();
        servable.put(v, true);
        refusals.remove(v);
        if (activeVersion.isEmpty() || c.model().createdAtMs() >= createdAt(activeVersion)) {
          activeVersion = v;
        }
      } else if (e instanceof ModelAssembler.Activate a) {
        activeVersion = a.model().version();
      } else if (e instanceof ModelAssembler.Refused r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", r.version());
        m.put("reason", r.refusal().label());
        m.put("detail", r.detail());
        m.put("activation", record.getActivation());
        // A refused rollback must not hide why the version itself was refused.
        refusals.put((record.getActivation() ? "activation " : "") + r.version(), m);
      }
    }
  }

  synchronized void decision(ModelDecision decision) {
    decisions.put(decision.getCandidateVersion(), decision);
  }

  /** The page's state: everything shown, newest first, image URLs included. */
  synchronized Map<String, Object> snapshot(long nowMs) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("now_ms", nowMs);
    m.put("consumed", new TreeMap<>(consumed));
    m.put("catalog_items", catalogDelivered.size());
    m.put("attacks", attacks.newest(ATTACKS_SHOWN).stream().map(this::attackJson).toList());
    m.put("hijacks", hijacks());
    m.put("alerts", alerts.newest(ALERTS_SHOWN).stream().map(this::alertJson).toList());
    m.put("drift", driftJson());
    m.put("versions", versions.newest(20).stream().map(this::versionJson).toList());
    m.put("model_refusals", refusals.newest(20));
    m.put("versions_in_use", inUse());
    m.put("decisions", decisions.newest(20).stream().map(ConsoleView::decisionJson).toList());
    return m;
  }

  /** The adversarial variant produced from event {@code originalEventId}, if remembered. */
  synchronized Optional<AdversarialVariant> attack(String originalEventId) {
    return Optional.ofNullable(attacks.get(originalEventId));
  }

  /** The clean event an attack started from, if it is still the one remembered for its subject. */
  synchronized Optional<ImageEvent> original(AdversarialVariant v) {
    ImageEvent e = isQueryAttack(v.getSpec().getType()) ? queries.get(v.getItemId()) : null;
    if (e == null) {
      e = catalog.get(v.getItemId());
    }
    return Optional.ofNullable(e).filter(x -> x.getEventId().equals(v.getOriginalEventId()));
  }

  /** The catalog photo the ranker received for an item (the clean one if that is all we have). */
  synchronized Optional<ImageEvent> item(String itemId) {
    ImageEvent e = catalogDelivered.get(itemId);
    return Optional.ofNullable(e != null ? e : catalog.get(itemId));
  }

  synchronized Optional<ImageEvent> query(String queryId, boolean delivered) {
    return Optional.ofNullable((delivered ? queriesDelivered : queries).get(queryId));
  }

  static boolean isQueryAttack(AttackType t) {
    return switch (t) {
      case ATTACK_TYPE_QA_PLUS,
          ATTACK_TYPE_QA_MINUS,
          ATTACK_TYPE_SP_QA_PLUS,
          ATTACK_TYPE_SP_QA_MINUS ->
          true;
      default -> false;
    };
  }

  /** The paper's name of an attack type, e.g. {@code SP-QA+}. */
  static String label(AttackType t) {
    return switch (t) {
      case ATTACK_TYPE_CA_PLUS -> "CA+";
      case ATTACK_TYPE_CA_MINUS -> "CA-";
      case ATTACK_TYPE_QA_PLUS -> "QA+";
      case ATTACK_TYPE_QA_MINUS -> "QA-";
      case ATTACK_TYPE_SP_QA_PLUS -> "SP-QA+";
      case ATTACK_TYPE_SP_QA_MINUS -> "SP-QA-";
      case ATTACK_TYPE_ES -> "ES";
      default -> t.name();
    };
  }

  private Map<String, Object> attackJson(AdversarialVariant v) {
    Map<String, Object> m = new LinkedHashMap<>();
    String event = enc(v.getOriginalEventId());
    m.put("event_id", v.getOriginalEventId());
    m.put("subject_id", v.getItemId());
    m.put("type", label(v.getSpec().getType()));
    m.put("epsilon", v.getSpec().getEpsilon());
    m.put("linf", v.getLinf());
    m.put("model_version", v.getModelVersion());
    m.put("produced_at_ms", v.getProducedAtMs());
    RankShift s = shifts.get(v.getOriginalEventId());
    m.put("rank_before", s == null ? null : s.getRankPercentileBefore());
    m.put("rank_after", s == null ? null : s.getRankPercentileAfter());
    m.put("success", s == null ? null : s.getSuccess());
    boolean haveOriginal = original(v).isPresent();
    m.put("original_img", haveOriginal ? "/img/attack/original?event=" + event : null);
    m.put("adversarial_img", "/img/attack/adversarial?event=" + event);
    m.put("perturbation_img", haveOriginal ? "/img/attack/perturbation?event=" + event : null);
    return m;
  }

  /** Hijacked queries that the ranker answered: delivered ranking beside a clean one if seen. */
  private List<Map<String, Object>> hijacks() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (AdversarialVariant v : attacks.newest(attacks.size())) {
      if (out.size() >= HIJACKS_SHOWN) {
        break;
      }
      RankingResult delivered = rankings.get(v.getItemId());
      if (!isQueryAttack(v.getSpec().getType())
          || delivered == null
          || !delivered.getQueryEventId().equals(v.getOriginalEventId())) {
        continue;
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("query_id", v.getItemId());
      m.put("type", label(v.getSpec().getType()));
      m.put("epsilon", v.getSpec().getEpsilon());
      m.put("target_ids", v.getSpec().getTargetIdsList());
      m.put("query_img", "/img/query?id=" + enc(v.getItemId()) + "&delivered=true");
      m.put("delivered", rankingJson(delivered));
      RankingResult clean = cleanRankingOfSamePhoto(v.getItemId());
      m.put("clean", clean == null ? null : rankingJson(clean));
      m.put("clean_query_img", clean == null ? null : "/img/query?id=" + enc(clean.getQueryId()));
      out.add(m);
    }
    return out;
  }

  /**
   * The ranker ranks only delivered queries, so the clean answer shown for a hijacked query is its
   * newest answer to the same photo (same dataset, split and index) sent un-attacked by another
   * shopper, if the console has seen one.
   */
  private RankingResult cleanRankingOfSamePhoto(String hijackedQueryId) {
    ImageEvent hijacked = queries.get(hijackedQueryId);
    if (hijacked == null || !hijacked.hasSource()) {
      return null;
    }
    for (RankingResult r : rankings.newest(rankings.size())) {
      ImageEvent q = queries.get(r.getQueryId());
      if (q != null
          && !r.getQueryId().equals(hijackedQueryId)
          && attackedSubjects.get(r.getQueryId()) == null
          && samePhoto(q.getSource(), hijacked.getSource())) {
        return r;
      }
    }
    return null;
  }

  private static boolean samePhoto(Source a, Source b) {
    return a.getDataset().equals(b.getDataset())
        && a.getSplit().equals(b.getSplit())
        && a.getIndex() == b.getIndex();
  }

  private Map<String, Object> rankingJson(RankingResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("query_id", r.getQueryId());
    m.put("query_label", r.hasQueryLabel() ? r.getQueryLabel() : null);
    m.put("model_version", r.getModelVersion());
    m.put("ranked_at_ms", r.getRankedAtMs());
    m.put("consistency_score", r.hasConsistencyScore() ? r.getConsistencyScore() : null);
    List<Map<String, Object>> hits = new ArrayList<>();
    for (Hit h : r.getHitsList()) {
      Map<String, Object> hit = new LinkedHashMap<>();
      hit.put("item_id", h.getItemId());
      hit.put("distance", h.getDistance());
      hit.put("label", h.hasLabel() ? h.getLabel() : null);
      hit.put("img", "/img/item?id=" + enc(h.getItemId()));
      hits.add(hit);
    }
    m.put("hits", hits);
    return m;
  }

  private Map<String, Object> alertJson(AnomalyAlert a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("alert_id", a.getAlertId());
    m.put("subject_kind", a.getSubjectKindValue() == 2 ? "query" : "item");
    m.put("subject_id", a.getSubjectId());
    m.put("signal", a.getSignal());
    m.put("value", a.getValue());
    m.put("threshold", a.getThreshold());
    m.put("window_start_ms", a.getWindowStartMs());
    m.put("window_end_ms", a.getWindowEndMs());
    m.put("model_version", a.getModelVersion());
    m.put("evidence", new TreeMap<>(a.getEvidenceMap()));
    m.put("raised_at_ms", a.getRaisedAtMs());
    AttackType truth = attackedSubjects.get(a.getSubjectId());
    m.put("ground_truth", truth == null ? null : label(truth));
    return m;
  }

  private Map<String, List<Map<String, Object>>> driftJson() {
    Map<String, List<Map<String, Object>>> out = new TreeMap<>();
    for (var bucket : drift.entrySet()) {
      for (var byType : bucket.getValue().entrySet()) {
        double[] s = byType.getValue();
        Map<String, Object> point = new LinkedHashMap<>();
        point.put("t_ms", bucket.getKey());
        point.put("n", (long) s[0]);
        point.put("before", s[1] / s[0]);
        point.put("after", s[2] / s[0]);
        out.computeIfAbsent(label(byType.getKey()), t -> new ArrayList<>()).add(point);
      }
    }
    return out;
  }

  private Map<String, Object> versionJson(ModelVersion v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("version", v.getVersion());
    m.put("parent", v.getParent());
    m.put("sha256", v.getSha256());
    m.put("created_at_ms", v.getCreatedAtMs());
    m.put("weights_size", v.getWeightsSize());
    m.put("active", v.getVersion().equals(activeVersion));
    Map<String, Object> refusal = refusals.get(v.getVersion());
    if (servable.get(v.getVersion()) != null) {
      m.put("status", "servable");
    } else if (refusal != null) {
      m.put("status", "refused");
      m.put("reason", refusal.get("reason"));
      m.put("detail", refusal.get("detail"));
    } else {
      m.put("status", "incomplete"); // chunks still to come
    }
    return m;
  }

  private static Map<String, Object> decisionJson(ModelDecision d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("candidate", d.getCandidateVersion());
    m.put("parent", d.getParentVersion());
    m.put("published", d.getPublished());
    m.put("reason", d.getReason());
    m.put("parent_metrics", new TreeMap<>(d.getParentMetricsMap()));
    m.put("candidate_metrics", new TreeMap<>(d.getCandidateMetricsMap()));
    m.put("steps", d.getSteps());
    m.put("decided_at_ms", d.getDecidedAtMs());
    return m;
  }

  /**
   * Versions the ranker answered with, first seen when: the shipped model is served without ever
   * being published on {@code advrank.models}.
   */
  private List<Map<String, Object>> inUse() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map.Entry<String, Long> seen : versionsInUse.newest(20)) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("version", seen.getKey());
      m.put("first_seen_ms", seen.getValue());
      m.put("published", versions.get(seen.getKey()) != null);
      out.add(m);
    }
    return out;
  }

  private long createdAt(String version) {
    ModelVersion v = versions.get(version);
    return v == null ? Long.MIN_VALUE : v.getCreatedAtMs();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
