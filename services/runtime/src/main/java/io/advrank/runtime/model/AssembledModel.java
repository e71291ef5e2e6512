package io.advrank.runtime.model;

import java.util.Objects;

/**
 * One complete model version as it travels on {@code advrank.models}: its metadata and all its
 * weights bytes. The weights array is shared, not copied: treat it as read-only.
 *
 * @param version unique version id, without '/'
 * @param parent the version it was fine-tuned from, or empty
 * @param manifestJson the model's manifest.json (architecture, input shape, metrics)
 * @param createdAtMs epoch milliseconds of creation; orders versions (newer = larger)
 * @param sha256 lower-case hex SHA-256 of {@code weights}
 * @param weights the weights file's bytes
 * @param signer who signed it, as the reader's {@link ModelTrust} found: a trusted key's name,
 *     {@code unsigned} or {@code not checked (key …)}; empty on the publisher's side
 */
public record AssembledModel(
    String version,
    String parent,
    String manifestJson,
    long createdAtMs,
    String sha256,
    byte[] weights,
    String signer) {
  public AssembledModel {
    Objects.requireNonNull(version, "version");
    parent = parent == null ? "" : parent;
    Objects.requireNonNull(manifestJson, "manifestJson");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(weights, "weights");
    signer = signer == null ? "" : signer;
  }

  /** A version as its publisher builds it (no signer yet). */
  public AssembledModel(
      String version,
      String parent,
      String manifestJson,
      long createdAtMs,
      String sha256,
      byte[] weights) {
    this(version, parent, manifestJson, createdAtMs, sha256, weights, "");
  }

  /** A version of these weights, with their sha256 computed. */
  public static AssembledModel of(
      String version, String parent, String manifestJson, long createdAtMs, byte[] weights) {
    return new AssembledModel(
        version, parent, manifestJson, createdAtMs, ModelChunks.sha256(weights), weights);
  }

  /** Whether this version was created after {@code other} (ties broken by version id). */
  public boolean newerThan(long otherCreatedAtMs, String otherVersion) {
    return createdAtMs > otherCreatedAtMs
        || (createdAtMs == otherCreatedAtMs && version.compareTo(otherVersion) > 0);
  }

  @Override
  public String toString() {
    return "AssembledModel[" + version + ", " + weights.length + " bytes]";
  }
}
