package io.advrank.monitor;

import io.advrank.proto.v1.AnomalyAlert;
import io.advrank.proto.v1.SubjectKind;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Builds alerts. The id depends only on the signal, the subject and the window, so an alert raised
 * again for the same window (a replay, a second detection) has the same id and is dropped.
 */
final class Alerts {
  /** Signals: a small fixed set, because each is a metric label. */
  static final String RANK_SURGE = "rank_surge";

  static final String RANK_DROP = "rank_drop";
  static final String QUERY_HIJACK = "query_hijack";
  static final String PHOTO_INCONSISTENCY = "photo_inconsistency";

  static final List<String> SIGNALS =
      List.of(RANK_SURGE, RANK_DROP, QUERY_HIJACK, PHOTO_INCONSISTENCY);

  private Alerts() {}

  static String alertId(String signal, String subjectId, long windowStartMs) {
    String name = signal + "|" + subjectId + "|" + windowStartMs;
    return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
  }

  static AnomalyAlert alert(
      SubjectKind kind,
      String subjectId,
      String signal,
      double value,
      double threshold,
      long windowStartMs,
      long windowEndMs,
      String modelVersion,
      Map<String, String> evidence,
      long raisedAtMs) {
    return AnomalyAlert.newBuilder()
        .setAlertId(alertId(signal, subjectId, windowStartMs))
        .setSubjectKind(kind)
        .setSubjectId(subjectId)
        .setSignal(signal)
        .setValue(value)
        .setThreshold(threshold)
        .setWindowStartMs(windowStartMs)
        .setWindowEndMs(windowEndMs)
        .setModelVersion(modelVersion)
        .putAllEvidence(evidence)
        .setRaisedAtMs(raisedAtMs)
        .build();
  }
}
