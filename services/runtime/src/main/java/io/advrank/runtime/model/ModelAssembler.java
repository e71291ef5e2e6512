package io.advrank.runtime.model;

import io.advrank.proto.v1.ModelVersion;
import io.advrank.runtime.lifecycle.TempDirectory;
import io.advrank.runtime.topic.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Rebuilds model versions from the records of {@code advrank.models}, read in order (the topic has
 * one partition): concatenates a version's {@code chunk_count} chunks by {@code chunk_index} and
 * checks their size and sha256. A version whose chunks stop before the last one (another version's
 * chunk comes first) or skip one is truncated; one whose bytes do not hash to the announced sha256
 * is tampered. Completed versions are remembered (the newest {@value #KEEP}) so that an activation
 * record can roll back to one of them; only the newest {@value #IN_MEMORY} keep their weights on
 * the Java heap, older ones keep them in a temporary file, read back (and their sha256 checked
 * again) when a rollback or {@link #completed()} asks for them. Held on the heap, 16 versions of
 * the demo's 6.5 MB model were 104 MB per consumer, and the 30-minute soak measured the live heap
 * growing by about 13 MB per published version (ranker and attack-worker) for as long as it ran.
 * With trusted keys ({@link ModelTrust}) a version must also carry a trusted signature over its
 * weights and manifest, or it is refused ({@link Refusal#SIGNATURE}) and never remembered, so no
 * activation can select it; activations must be signed by a trusted key as well. Not thread-safe:
 * one reader thread.
 */
public final class ModelAssembler {
  static final int KEEP = 16;

  /** How many of the newest remembered versions keep their weights in memory. */
  static final int IN_MEMORY = 2;

  private static final byte[] ON_DISK = new byte[0];

  /** What one record completed or refused. */
  public sealed interface Event {}

  /** Every chunk of a version arrived and its sha256 matches. */
  public record Complete(AssembledModel model) implements Event {}

  /** An activation (rollback) asks to serve {@code model}, which was assembled earlier. */
  public record Activate(AssembledModel model, long requestedAtMs) implements Event {}

  /** A version (or a record) that cannot be used, and why. */
  public record Refused(String version, Refusal refusal, String detail) implements Event {}

  private final ModelTrust trust;
  // version -> the model; a spilled one's weights are ON_DISK, in the file of spilled
  private final Map<String, AssembledModel> complete = new LinkedHashMap<>();
  private final Map<String, Path> spilled = new HashMap<>();
  private Path spillDir; // created at the first spill
  private long spills;
  private ModelVersion first; // metadata of the version being assembled
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private int nextIndex;
  private String skipping; // a refused version whose remaining chunks are ignored

  /** An assembler that checks no signatures ({@link ModelTrust#NONE}). */
  public ModelAssembler() {
    this(ModelTrust.NONE);
  }

  /** An assembler that serves only what {@code trust} accepts. */
  public ModelAssembler(ModelTrust trust) {
    this.trust = Objects.requireNonNull(trust, "trust");
  }

  /** Takes in the next record of the topic (a null value is a tombstone); returns what it ended. */
  public List<Event> feed(String key, ModelVersion record) {
    List<Event> out = new ArrayList<>(2);
    if (record == null) {
      retire(key);
      return out;
    }
    if (record.getActivation()) {
      AssembledModel target = get(record.getVersion()).orElse(null);
      ModelTrust.Verdict verdict = trust.checkActivation(record);
      out.add(
          !verdict.accepted()
              ? new Refused(record.getVersion(), Refusal.SIGNATURE, verdict.problem())
              : target == null
                  ? new Refused(
                      record.getVersion(),
                      Refusal.UNKNOWN_VERSION,
                      "activation of a version not (completely) on advrank.models")
                  : new Activate(target, record.getCreatedAtMs()));
      return out;
    }
    String problem = checkChunk(key, record);
    if (problem != null) {
      out.add(new Refused(record.getVersion(), Refusal.MALFORMED, problem));
      return out;
    }
    if (first != null
        && (!first.getVersion().equals(record.getVersion()) || record.getChunkIndex() == 0)) {
      out.add(truncated("chunk " + nextIndex + " of " + first.getChunkCount() + " never came"));
    }
    if (record.getVersion().equals(skipping)) {
      if (record.getChunkIndex() != 0) {
        return out;
      }
      skipping = null; // published again from the start
    }
    if (first == null) {
      if (record.getChunkIndex() != 0) {
        skipping = record.getVersion();
        out.add(
            new Refused(
                record.getVersion(),
                Refusal.TRUNCATED,
                "starts at chunk " + record.getChunkIndex() + " instead of 0"));
        return out;
      }
      first = record;
      bytes.reset();
      nextIndex = 0;
    }
    if (record.getChunkIndex() != nextIndex || !sameMetadata(record)) {
      out.add(truncated("chunk " + record.getChunkIndex() + " where " + nextIndex + " was due"));
      skipping = record.getVersion();
      return out;
    }
    bytes.writeBytes(record.getWeights().toByteArray());
    nextIndex++;
    if (nextIndex == first.getChunkCount()) {
      out.add(finish());
    }
    return out;
  }

  /**
   * A completed version by id, if still remembered (empty too when its weights kept on disk cannot
   * be read back or no longer match their sha256).
   */
  public Optional<AssembledModel> get(String version) {
    AssembledModel m = complete.get(version);
    return m == null ? Optional.empty() : Optional.ofNullable(withWeights(m));
  }

  /** Completed versions in the order they completed, with their weights. */
  public List<AssembledModel> completed() {
    List<AssembledModel> out = new ArrayList<>();
    for (AssembledModel m : complete.values()) {
      AssembledModel full = withWeights(m);
      if (full != null) {
        out.add(full);
      }
    }
    return out;
  }

  /** Bytes of weights held on the Java heap (the newest {@value #IN_MEMORY} versions). */
  long weightsInMemory() {
    return complete.values().stream().mapToLong(m -> m.weights().length).sum();
  }

  private void remember(AssembledModel model) {
    forget(model.version());
    complete.put(model.version(), model);
    if (complete.size() > KEEP) {
      forget(complete.keySet().iterator().next());
    }
    int older = complete.size() - IN_MEMORY;
    for (String version : new ArrayList<>(complete.keySet())) {
      if (older-- <= 0) {
        break;
      }
      spill(version);
    }
  }

  /** Moves a version's weights to a file; on an I/O error they stay in memory. */
  private void spill(String version) {
    AssembledModel m = complete.get(version);
    if (spilled.containsKey(version) || m.weights().length == 0) {
      return;
    }
    try {
      if (spillDir == null) {
        // With its files at JVM exit: deleteOnExit would keep every spilled file's name forever.
        spillDir = TempDirectory.create("advrank-model-versions-").alsoAtExit().path();
      }
      Path file = spillDir.resolve((spills++) + ".weights");
      Files.write(file, m.weights());
      spilled.put(version, file);
      complete.put(version, copy(m, ON_DISK)); // same key: the order is kept
    } catch (IOException e) {
      // a full or read-only temporary directory costs heap, not a rollback
    }
  }

  /** The model with its weights, read back from disk if spilled; null if unreadable or changed. */
  private AssembledModel withWeights(AssembledModel m) {
    Path file = spilled.get(m.version());
    if (file == null) {
      return m;
    }
    try {
      byte[] weights = Files.readAllBytes(file);
      return ModelChunks.sha256(weights).equals(m.sha256()) ? copy(m, weights) : null;
    } catch (IOException e) {
      return null;
    }
  }

  private void forget(String version) {
    complete.remove(version);
    Path file = spilled.remove(version);
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // deleted with the directory at exit
      }
    }
  }

  private static AssembledModel copy(AssembledModel m, byte[] weights) {
    return new AssembledModel(
        m.version(),
        m.parent(),
        m.manifestJson(),
        m.createdAtMs(),
        m.sha256(),
        weights,
        m.signer());
  }

  private Event finish() {
    ModelVersion meta = first;
    byte[] weights = bytes.toByteArray();
    first = null;
    bytes.reset();
    if (weights.length != meta.getWeightsSize()) {
      return new Refused(
          meta.getVersion(),
          Refusal.TRUNCATED,
          weights.length + " bytes of weights, " + meta.getWeightsSize() + " announced");
    }
    String sha = ModelChunks.sha256(weights);
    // The signature is checked first, over the weights as received: tampering with the weights
    // is a signature failure whether or not the announced sha256 was changed to match.
    ModelTrust.Verdict verdict = trust.check(meta, sha);
    if (!verdict.accepted()) {
      return new Refused(meta.getVersion(), Refusal.SIGNATURE, verdict.problem());
    }
    if (!sha.equals(meta.getSha256())) {
      return new Refused(
          meta.getVersion(),
          Refusal.TAMPERED,
          "sha256 "
              + abbreviate(sha)
              + " differs from the announced "
              + abbreviate(meta.getSha256()));
    }
    AssembledModel model =
        new AssembledModel(
            meta.getVersion(),
            meta.getParent(),
            meta.getManifestJson(),
            meta.getCreatedAtMs(),
            sha,
            weights,
            verdict.signer());
    remember(model);
    return new Complete(model);
  }

  private Refused truncated(String detail) {
    String version = first.getVersion();
    first = null;
    bytes.reset();
    return new Refused(version, Refusal.TRUNCATED, detail);
  }

  private boolean sameMetadata(ModelVersion r) {
    return r.getSha256().equals(first.getSha256())
        && r.getChunkCount() == first.getChunkCount()
        && r.getWeightsSize() == first.getWeightsSize();
  }

  private static String checkChunk(String key, ModelVersion r) {
    if (r.getVersion().isBlank() || r.getVersion().contains("/")) {
      return "version '" + r.getVersion() + "' is blank or contains '/'";
    }
    if (r.getChunkCount() < 1 || r.getChunkIndex() >= r.getChunkCount()) {
      return "chunk " + r.getChunkIndex() + " of " + r.getChunkCount();
    }
    if (key != null && !key.equals(Topics.modelChunkKey(r.getVersion(), r.getChunkIndex()))) {
      return "key '" + key + "' does not match version and chunk index";
    }
    return null;
  }

  /** A tombstone for a version's chunk retires the version. */
  private void retire(String key) {
    if (key != null && key.contains("/")) {
      forget(key.substring(0, key.indexOf('/')));
    }
  }

  private static String abbreviate(String sha) {
    return sha.length() > 12 ? sha.substring(0, 12) + "…" : sha;
  }
}
