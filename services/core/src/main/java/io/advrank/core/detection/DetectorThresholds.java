package io.advrank.core.detection;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;
import java.util.Optional;

/**
 * The thresholds of the monitor's score detectors for one model version, calibrated on clean data
 * when the version is made ({@link CleanCalibration}) and stored in its manifest, so a monitor
 * alerts on the version's traffic from its first event instead of calibrating on live traffic that
 * may already be attacked. Scores are the ranker's consistency scores ({@link FeatureSqueeze}).
 *
 * @param queryHijack threshold on a query's score ({@link FeatureSqueeze#of}), signal {@code
 *     query_hijack}
 * @param catalogPhoto threshold on a catalog photo's score ({@link FeatureSqueeze#joint}), signal
 *     {@code photo_inconsistency}
 * @param falsePositiveRate the target rate both thresholds were set for ({@link Thresholds#upper})
 * @param images clean images scored for each threshold
 * @param scales the clean images' scales of the raw scores, which the ranker uses for this version
 *     instead of its running medians ({@link ScoreScales}); null: running medians
 */
public record DetectorThresholds(
    double queryHijack,
    double catalogPhoto,
    double falsePositiveRate,
    int images,
    ScoreScales scales) {

  /** The manifest's field that holds them. */
  public static final String MANIFEST_FIELD = "detection";

  public DetectorThresholds {
    if (!(queryHijack > 0)
        || !(catalogPhoto > 0)
        || Double.isInfinite(queryHijack + catalogPhoto)) {
      throw new IllegalArgumentException(
          "detection thresholds must be positive and finite, got queryHijack "
              + queryHijack
              + ", catalogPhoto "
              + catalogPhoto);
    }
    if (!(falsePositiveRate > 0 && falsePositiveRate < 0.5)) {
      throw new IllegalArgumentException(
          "detection falsePositiveRate must be in (0, 0.5), got " + falsePositiveRate);
    }
    if (images < 1) {
      throw new IllegalArgumentException("detection images must be positive, got " + images);
    }
  }

  /**
   * The thresholds in a manifest's JSON, read without the rest of the manifest (a monitor needs
   * nothing else); empty when the manifest has none (a version made before they existed).
   *
   * @throws IllegalArgumentException when the JSON or the thresholds are malformed
   */
  public static Optional<DetectorThresholds> fromManifestJson(String manifestJson) {
    try {
      JsonElement root = JsonParser.parseString(manifestJson);
      if (!root.isJsonObject()) {
        throw new IllegalArgumentException("manifest is not a JSON object");
      }
      JsonElement field = root.getAsJsonObject().get(MANIFEST_FIELD);
      if (field == null || field.isJsonNull()) {
        return Optional.empty();
      }
      JsonObject o = field.getAsJsonObject();
      JsonElement s = o.get("scales");
      ScoreScales scales =
          s == null || s.isJsonNull()
              ? null
              : new ScoreScales(
                  number(s.getAsJsonObject(), "depthFlat"),
                  number(s.getAsJsonObject(), "depthNone"),
                  number(s.getAsJsonObject(), "medianFlat"),
                  number(s.getAsJsonObject(), "medianNone"),
                  number(s.getAsJsonObject(), "speckle"),
                  s.getAsJsonObject().has("chroma") ? number(s.getAsJsonObject(), "chroma") : 0);
      return Optional.of(
          new DetectorThresholds(
              number(o, "queryHijack"),
              number(o, "catalogPhoto"),
              number(o, "falsePositiveRate"),
              (int) number(o, "images"),
              scales));
    } catch (JsonSyntaxException | IllegalStateException | UnsupportedOperationException e) {
      throw new IllegalArgumentException("manifest's detection field: " + e.getMessage(), e);
    }
  }

  private static double number(JsonObject o, String name) {
    JsonElement e = o.get(name);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      throw new IllegalArgumentException("manifest's detection field lacks the number " + name);
    }
    return e.getAsDouble();
  }
}
