package io.advrank.cli.bench;

import io.advrank.cli.bench.BenchFuzzRecords.Fuzzed;
import io.advrank.cli.bench.BenchFuzzRecords.Kind;
import io.advrank.proto.v1.ModelVersion;
import io.advrank.runtime.model.AssembledModel;
import io.advrank.runtime.model.ModelChunks;
import io.advrank.runtime.model.ModelKeys;
import io.advrank.runtime.model.ModelSignature;
import io.advrank.runtime.model.ModelSigner;
import io.advrank.runtime.model.ModelSigning;
import io.advrank.runtime.topic.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The model signing of a {@code bench fuzz} run, as the demo's: a fresh key pair in a temporary
 * directory, the only key the model consumers trust, and a second pair nobody trusts. The bench
 * signs its malformed model versions with the trusted key, so each is refused for what it breaks
 * and not for a missing signature, and makes the signature kinds: versions that are unsigned,
 * signed by the unknown key, or validly signed and then changed. The directory is deleted on close.
 */
final class BenchFuzzSigning implements AutoCloseable {
  static final String KEY_NAME = "bench-fuzz";

  /** The kinds that only a consumer with trusted keys refuses, all for their signature. */
  static final List<Kind> KINDS =
      List.of(
          Kind.UNSIGNED, Kind.UNKNOWN_KEY, Kind.SIGNED_TAMPERED_WEIGHTS, Kind.TAMPERED_MANIFEST);

  private final Path dir;
  private final ModelSigner trusted;
  private final ModelSigner unknown;
  private final Random random;

  private BenchFuzzSigning(Path dir, ModelSigner trusted, ModelSigner unknown, long seed) {
    this.dir = dir;
    this.trusted = trusted;
    this.unknown = unknown;
    this.random = new Random(seed);
  }

  /** Two fresh key pairs; only the trusted one's public key is written (to a temporary dir). */
  static BenchFuzzSigning create(long seed) throws IOException {
    Path dir = Files.createTempDirectory("advrank-bench-fuzz-keys");
    KeyPair pair = ModelKeys.generate();
    ModelKeys.write(pair, dir, KEY_NAME);
    return new BenchFuzzSigning(
        dir,
        new ModelSigner(pair.getPrivate()),
        new ModelSigner(ModelKeys.generate().getPrivate()),
        seed);
  }

  /** Makes a model consumer trust the bench's key only. */
  void trust(Map<String, String> flags) {
    flags.put(ModelSigning.TRUSTED_KEYS, dir.resolve(KEY_NAME + ".pub").toString());
  }

  /** Makes a publisher sign with the bench's key and trust it. */
  void sign(Map<String, String> flags) {
    trust(flags);
    flags.put(ModelSigning.SIGNING_KEY, dir.resolve(KEY_NAME + ".key").toString());
  }

  /**
   * {@code chunk}, one whole version, signed by the trusted key over its weights and manifest as
   * they are. The signature covers the weights' computed sha256, never the announced one, so a
   * chunk announcing a wrong sha256 still passes the signature and is refused as tampered.
   */
  ModelVersion signed(ModelVersion chunk) {
    ModelSignature s = trusted.sign(model(chunk));
    return chunk.toBuilder()
        .setSignature(com.google.protobuf.ByteString.copyFrom(s.signature()))
        .setSigningKeyId(s.keyId())
        .build();
  }

  /** An activation of {@code version} signed by the trusted key. */
  ModelVersion signedActivation(String version, long atMs) {
    return ModelChunks.activation(version, atMs, trusted.signActivation(version, atMs));
  }

  /**
   * A one-chunk version {@code version} (never published) whose sha256 matches its weights, broken
   * in the way of a signature {@code kind}, one of {@link #KINDS}.
   */
  Fuzzed model(Kind kind, String version) {
    byte[] weights = new byte[64];
    random.nextBytes(weights);
    AssembledModel m =
        AssembledModel.of(version, "", "{\"bench\":\"fuzz\"}", System.currentTimeMillis(), weights);
    ModelVersion chunk =
        switch (kind) {
          case UNSIGNED -> only(ModelChunks.split(m));
          case UNKNOWN_KEY -> only(ModelChunks.split(m, unknown.sign(m)));
          case SIGNED_TAMPERED_WEIGHTS -> {
            byte[] changed = weights.clone();
            changed[random.nextInt(changed.length)] ^= 1;
            // The announced sha256 is that of the changed weights: only the signature tells.
            AssembledModel tampered =
                AssembledModel.of(version, "", m.manifestJson(), m.createdAtMs(), changed);
            yield only(ModelChunks.split(tampered, trusted.sign(m)));
          }
          case TAMPERED_MANIFEST ->
              only(ModelChunks.split(m, trusted.sign(m))).toBuilder()
                  .setManifestJson("{\"bench\":\"tampered\"}")
                  .build();
          default -> throw new IllegalArgumentException(kind + " is not a signature kind");
        };
    return new Fuzzed(
        kind,
        Topics.modelChunkKey(version, 0).getBytes(StandardCharsets.UTF_8),
        chunk.toByteArray());
  }

  private static ModelVersion only(List<ModelVersion> chunks) {
    if (chunks.size() != 1) {
      throw new IllegalStateException("a fuzzed version is one chunk, was " + chunks.size());
    }
    return chunks.get(0);
  }

  /** The version a one-chunk {@code chunk} carries, its sha256 computed from its weights. */
  private static AssembledModel model(ModelVersion chunk) {
    return AssembledModel.of(
        chunk.getVersion(),
        chunk.getParent(),
        chunk.getManifestJson(),
        chunk.getCreatedAtMs(),
        chunk.getWeights().toByteArray());
  }

  @Override
  public void close() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
