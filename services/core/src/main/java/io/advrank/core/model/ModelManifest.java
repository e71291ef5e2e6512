package io.advrank.core.model;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.advrank.core.detection.DetectorThresholds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON file beside a model's weights: what the network is, how it was trained, how well it did,
 * where it came from, and the sha256 of the weights so a tampered file is refused on load.
 *
 * @param formatVersion version of this manifest format, {@value #FORMAT_VERSION} today
 * @param version this model's version id, unique within a deployment
 * @param parentVersion the version it was fine-tuned from, or {@code null}
 * @param spec architecture, embedding size and input shape
 * @param parameterCount number of trainable values
 * @param weightsFile file name of the weights, relative to the manifest
 * @param weightsDtype how the weights are stored ({@code float16} or {@code float32})
 * @param weightsSha256 hex sha256 of the weights file
 * @param createdAt ISO-8601 instant of creation
 * @param training how it was trained (data, epochs, seed, optimiser settings, defense …)
 * @param metrics evaluation figures, e.g. {@code r_at_1}, {@code map}
 * @param detection the monitor's detector thresholds for this version, calibrated on clean data
 *     when it was made; {@code null} for a version made before they existed (the monitor then
 *     calibrates on live traffic)
 */
public record ModelManifest(
    int formatVersion,
    String version,
    String parentVersion,
    ModelSpec spec,
    long parameterCount,
    String weightsFile,
    String weightsDtype,
    String weightsSha256,
    String createdAt,
    Map<String, String> training,
    Map<String, Double> metrics,
    DetectorThresholds detection) {

  public static final int FORMAT_VERSION = 1;
  public static final String FILE_NAME = "manifest.json";
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().create();

  public ModelManifest {
    training = training == null ? Map.of() : Map.copyOf(new TreeMap<>(training));
    metrics = metrics == null ? Map.of() : Map.copyOf(new TreeMap<>(metrics));
  }

  /** This manifest with the detector thresholds calibrated for it. */
  public ModelManifest withDetection(DetectorThresholds thresholds) {
    return copy(parentVersion, metrics, thresholds);
  }

  /** This manifest with other metrics (e.g. after an evaluation). */
  public ModelManifest withMetrics(Map<String, Double> newMetrics) {
    return copy(parentVersion, newMetrics, detection);
  }

  private ModelManifest copy(
      String parent, Map<String, Double> newMetrics, DetectorThresholds thresholds) {
    return new ModelManifest(
        formatVersion,
        version,
        parent,
        spec,
        parameterCount,
        weightsFile,
        weightsDtype,
        weightsSha256,
        createdAt,
        training,
        newMetrics,
        thresholds);
  }

  /** Pretty JSON with sorted maps, so manifests diff well. */
  public String toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("formatVersion", formatVersion);
    json.put("version", version);
    json.put("parentVersion", parentVersion);
    json.put("spec", spec);
    json.put("parameterCount", parameterCount);
    json.put("weightsFile", weightsFile);
    json.put("weightsDtype", weightsDtype);
    json.put("weightsSha256", weightsSha256);
    json.put("createdAt", createdAt);
    json.put("training", new TreeMap<>(training));
    json.put("metrics", new TreeMap<>(metrics));
    if (detection != null) {
      json.put(DetectorThresholds.MANIFEST_FIELD, detection); // absent: older manifests unchanged
    }
    return GSON.toJson(json);
  }

  /** Reads and parses {@code dir}'s manifest (the weights are not read). */
  public static ModelManifest read(Path dir) throws ModelException {
    Path file = dir.resolve(FILE_NAME);
    String json = new String(EmbeddingModel.readBytes(file, dir), StandardCharsets.UTF_8);
    return fromJson(json, file.toString());
  }

  /** Parses a manifest, failing with a one-line reason when fields are missing or invalid. */
  public static ModelManifest fromJson(String json, String source) throws ModelException {
    ModelManifest m;
    try {
      m = GSON.fromJson(json, ModelManifest.class);
    } catch (RuntimeException e) {
      // Gson wraps a record's validation error (e.g. an unknown architecture) in its own.
      Throwable root = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
      throw new ModelException(source + ": not a valid manifest: " + root.getMessage(), e);
    }
    if (m == null) {
      throw new ModelException(source + ": empty manifest");
    }
    if (m.formatVersion() != FORMAT_VERSION) {
      throw new ModelException(
          source
              + ": manifest format "
              + m.formatVersion()
              + " is not supported (this build reads "
              + FORMAT_VERSION
              + ")");
    }
    if (m.spec() == null || m.weightsFile() == null || m.weightsSha256() == null) {
      throw new ModelException(source + ": manifest lacks spec, weightsFile or weightsSha256");
    }
    String parent =
        m.parentVersion() == null || m.parentVersion().isEmpty() ? null : m.parentVersion;
    return m.copy(parent, m.metrics(), m.detection());
  }
}
