package io.advrank.core.model;

import ai.djl.Device;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Opens a model version that arrived as bytes (a manifest and its weights, e.g. reassembled from
 * {@code advrank.models}) for a service that serves models of one {@link ModelSpec}: a manifest for
 * another architecture, input shape or embedding size is refused, as are weights whose sha256
 * differs from the one announced with them or from the manifest's. One place for the checks every
 * hot-swapping service needs; each maps {@link Problem} to its own refusal events.
 */
public final class ReceivedModel {
  private ReceivedModel() {}

  /** Why a received version cannot be served. */
  public enum Problem {
    /** Another architecture, input shape or embedding size, or a manifest that does not parse. */
    INCOMPATIBLE,
    /** The weights' sha256 differs from the manifest's. */
    TAMPERED,
    /** The weights did not load. */
    LOAD_FAILED
  }

  /** A refused version; the message names the source and what is wrong. */
  public static final class RefusedException extends Exception {
    private final Problem problem;

    RefusedException(Problem problem, String message, Throwable cause) {
      super(message, cause);
      this.problem = problem;
    }

    public Problem problem() {
      return problem;
    }
  }

  /**
   * @param announcedSha256 the sha256 that travelled with the weights (checked by the transport)
   * @param source names the version in messages, e.g. {@code advrank.models/v3}
   */
  public static EmbeddingModel open(
      String manifestJson,
      byte[] weights,
      String announcedSha256,
      ModelSpec served,
      String source,
      Device device)
      throws RefusedException {
    ModelManifest manifest;
    try {
      manifest = ModelManifest.fromJson(manifestJson, source);
    } catch (ModelException e) {
      throw new RefusedException(Problem.INCOMPATIBLE, e.getMessage(), e);
    }
    if (!served.equals(manifest.spec())) {
      throw new RefusedException(
          Problem.INCOMPATIBLE,
          source
              + " is "
              + manifest.spec().describe()
              + ", this service serves "
              + served.describe(),
          null);
    }
    if (!announcedSha256.equals(manifest.weightsSha256())) {
      throw new RefusedException(
          Problem.TAMPERED, source + ": the manifest's sha256 differs from the chunks'", null);
    }
    try {
      return EmbeddingModel.load(manifest, weights, source, device);
    } catch (ModelException e) {
      throw new RefusedException(Problem.LOAD_FAILED, e.getMessage(), e);
    }
  }

  /** Epoch milliseconds of a manifest's ISO-8601 {@code createdAt}, or 0 if it has none. */
  public static long createdAtMs(ModelManifest manifest) {
    try {
      return manifest == null || manifest.createdAt() == null
          ? 0
          : Instant.parse(manifest.createdAt()).toEpochMilli();
    } catch (DateTimeParseException e) {
      return 0;
    }
  }
}
