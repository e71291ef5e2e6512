package io.advrank.runtime.model;

import com.google.protobuf.ByteString;
import io.advrank.proto.v1.ModelVersion;
import io.advrank.runtime.topic.Topics;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Cuts a model version into the {@link ModelVersion} chunks of {@code advrank.models} ({@link
 * Topics#MODEL_CHUNK_BYTES} of weights each, every chunk repeating the metadata), and builds the
 * activation record of a rollback. The reverse is {@link ModelAssembler}.
 */
public final class ModelChunks {
  private ModelChunks() {}

  /** The chunks of {@code model}, in order; their keys are {@link Topics#modelChunkKey}. */
  public static List<ModelVersion> split(AssembledModel model) {
    return split(model, ModelSignature.NONE, Topics.MODEL_CHUNK_BYTES);
  }

  /** The chunks of {@code model}, each carrying {@code signature}. */
  public static List<ModelVersion> split(AssembledModel model, ModelSignature signature) {
    return split(model, signature, Topics.MODEL_CHUNK_BYTES);
  }

  static List<ModelVersion> split(AssembledModel model, int chunkBytes) {
    return split(model, ModelSignature.NONE, chunkBytes);
  }

  static List<ModelVersion> split(AssembledModel model, ModelSignature signature, int chunkBytes) {
    byte[] w = model.weights();
    int count = Math.max(1, (w.length + chunkBytes - 1) / chunkBytes);
    List<ModelVersion> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int from = i * chunkBytes;
      int to = Math.min(w.length, from + chunkBytes);
      out.add(
          ModelVersion.newBuilder()
              .setVersion(model.version())
              .setParent(model.parent())
              .setSha256(model.sha256())
              .setManifestJson(model.manifestJson())
              .setCreatedAtMs(model.createdAtMs())
              .setChunkIndex(i)
              .setChunkCount(count)
              .setWeightsSize(w.length)
              .setWeights(ByteString.copyFrom(w, from, to - from))
              .setSignature(ByteString.copyFrom(signature.signature()))
              .setSigningKeyId(signature.keyId())
              .build());
    }
    return out;
  }

  /**
   * The record (key {@link Topics#MODEL_ACTIVE_KEY}) that makes consumers serve {@code version}.
   */
  public static ModelVersion activation(String version, long atMs) {
    return activation(version, atMs, ModelSignature.NONE);
  }

  /** The activation record of {@code version}, carrying {@code signature}. */
  public static ModelVersion activation(String version, long atMs, ModelSignature signature) {
    Topics.modelChunkKey(version, 0); // the same rule for version ids as chunk keys
    return ModelVersion.newBuilder()
        .setVersion(version)
        .setActivation(true)
        .setCreatedAtMs(atMs)
        .setSignature(ByteString.copyFrom(signature.signature()))
        .setSigningKeyId(signature.keyId())
        .build();
  }

  /** Lower-case hex SHA-256, as in the manifest and on the wire. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
