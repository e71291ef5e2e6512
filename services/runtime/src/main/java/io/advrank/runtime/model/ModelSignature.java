package io.advrank.runtime.model;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The signature a publisher puts on a version's chunks, and the exact bytes it signs. The payload
 * names the version, parent, creation time and weights size and carries the SHA-256 of the complete
 * weights and of the manifest JSON's UTF-8 bytes as they travel, so changing the weights, any
 * manifest field (present or added later) or the version's identity breaks the signature.
 *
 * @param signature the Ed25519 signature, empty when unsigned
 * @param keyId fingerprint of the signing key ({@link ModelKeys#fingerprint}), empty when unsigned
 */
public record ModelSignature(byte[] signature, String keyId) {
  /** No signature. */
  public static final ModelSignature NONE = new ModelSignature(new byte[0], "");

  public ModelSignature {
    Objects.requireNonNull(signature, "signature");
    Objects.requireNonNull(keyId, "keyId");
  }

  /** Whether there is a signature at all. */
  public boolean present() {
    return signature.length > 0;
  }

  /** The signed bytes, from the weights' computed SHA-256 (never the announced one). */
  static byte[] payload(
      String version,
      String parent,
      long createdAtMs,
      long weightsSize,
      String weightsSha256,
      String manifestJson) {
    String text =
        "advrank.models signature v1\n"
            + version
            + "\n"
            + parent
            + "\n"
            + createdAtMs
            + "\n"
            + weightsSize
            + "\n"
            + weightsSha256
            + "\n"
            + ModelChunks.sha256(manifestJson.getBytes(StandardCharsets.UTF_8))
            + "\n";
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** The signed bytes of an activation (rollback) of {@code version} requested at {@code atMs}. */
  static byte[] activationPayload(String version, long atMs) {
    return ("advrank.models activation v1\n" + version + "\n" + atMs + "\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  static byte[] payload(AssembledModel m) {
    return payload(
        m.version(), m.parent(), m.createdAtMs(), m.weights().length, m.sha256(), m.manifestJson());
  }
}
