package io.advrank.runtime.model;

import io.advrank.proto.v1.ModelVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The public keys a consumer of {@code advrank.models} trusts, each under a name (who signed).
 *
 * <p>Policy: with at least one key, a version is served only if one of these keys signed it;
 * unsigned versions, versions whose weights or manifest changed after signing and versions signed
 * by any other key are refused ({@link Refusal#SIGNATURE}). With no key ({@link #NONE}) nothing is
 * checked and every version is accepted as before signing existed; services log a warning then.
 */
public final class ModelTrust {
  /** No trusted keys: signatures are not checked. */
  public static final ModelTrust NONE = new ModelTrust(Map.of());

  private final Map<String, PublicKey> keys; // name -> key, in load order

  private ModelTrust(Map<String, PublicKey> keys) {
    this.keys = keys;
  }

  /** Trusts exactly {@code keys} (name → key); empty means {@link #NONE}. */
  public static ModelTrust of(Map<String, PublicKey> keys) {
    return keys.isEmpty() ? NONE : new ModelTrust(Map.copyOf(new LinkedHashMap<>(keys)));
  }

  /**
   * Loads the keys of a setting such as {@code models.trusted-keys}: each path is a PEM public key
   * file (named by its file name without {@code .pub}/{@code .pem}) or a directory whose {@code
   * *.pub} and {@code *.pem} files are loaded so.
   *
   * @throws IllegalArgumentException naming the setting and the file when one is unusable
   */
  public static ModelTrust load(String setting, List<Path> paths) {
    Map<String, PublicKey> keys = new LinkedHashMap<>();
    for (Path path : paths) {
      for (Path file : files(setting, path)) {
        String name = file.getFileName().toString().replaceFirst("\\.(pub|pem)$", "");
        try {
          keys.put(name, ModelKeys.publicKey(Files.readString(file)));
        } catch (IOException | IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "setting '"
                  + setting
                  + "': "
                  + file
                  + " is not a readable Ed25519 public key PEM ("
                  + e.getMessage()
                  + ")");
        }
      }
    }
    return of(keys);
  }

  /** Whether signatures are checked (at least one key). */
  public boolean enforced() {
    return !keys.isEmpty();
  }

  /** The names of the trusted keys. */
  public List<String> names() {
    return List.copyOf(keys.keySet());
  }

  /** What {@link #check} found: the signer's name, or why the version is refused. */
  public record Verdict(boolean accepted, String signer, String problem) {
    static Verdict signedBy(String signer) {
      return new Verdict(true, signer, "");
    }

    static Verdict refused(String problem) {
      return new Verdict(false, "", problem);
    }
  }

  /**
   * Checks the signature on a version's first chunk {@code meta} against the weights' computed
   * {@code weightsSha256}. Without keys every version is accepted and the signer says whether it
   * carried a signature ("unsigned" or "not checked (key …)").
   */
  public Verdict check(ModelVersion meta, String weightsSha256) {
    Objects.requireNonNull(meta, "meta");
    byte[] signature = meta.getSignature().toByteArray();
    if (!enforced()) {
      return Verdict.signedBy(
          signature.length == 0 ? "unsigned" : "not checked (key " + meta.getSigningKeyId() + ")");
    }
    if (signature.length == 0) {
      return Verdict.refused("unsigned; trusted keys: " + String.join(", ", keys.keySet()));
    }
    byte[] payload =
        ModelSignature.payload(
            meta.getVersion(),
            meta.getParent(),
            meta.getCreatedAtMs(),
            meta.getWeightsSize(),
            weightsSha256,
            meta.getManifestJson());
    for (Map.Entry<String, PublicKey> e : keys.entrySet()) {
      if (verifies(e.getValue(), payload, signature)) {
        return Verdict.signedBy(e.getKey());
      }
    }
    String claimed = meta.getSigningKeyId();
    boolean knownKey =
        keys.values().stream().anyMatch(k -> ModelKeys.fingerprint(k).equals(claimed));
    return Verdict.refused(
        knownKey
            ? "signature by trusted key "
                + claimed
                + " does not match the weights and manifest (changed after signing)"
            : "signed by key '"
                + claimed
                + "', which is not trusted (trusted: "
                + String.join(", ", keys.keySet())
                + ")");
  }

  /**
   * Checks the signature of an activation (rollback) record: with keys, a trusted key must have
   * signed its version and request time, so that nobody else can roll consumers back.
   */
  public Verdict checkActivation(ModelVersion activation) {
    byte[] signature = activation.getSignature().toByteArray();
    if (!enforced()) {
      return Verdict.signedBy(signature.length == 0 ? "unsigned" : "not checked");
    }
    if (signature.length == 0) {
      return Verdict.refused(
          "unsigned rollback; trusted keys: " + String.join(", ", keys.keySet()));
    }
    byte[] payload =
        ModelSignature.activationPayload(activation.getVersion(), activation.getCreatedAtMs());
    for (Map.Entry<String, PublicKey> e : keys.entrySet()) {
      if (verifies(e.getValue(), payload, signature)) {
        return Verdict.signedBy(e.getKey());
      }
    }
    return Verdict.refused(
        "rollback signed by key '"
            + activation.getSigningKeyId()
            + "', which is not trusted or"
            + " does not match (trusted: "
            + String.join(", ", keys.keySet())
            + ")");
  }

  private static boolean verifies(PublicKey key, byte[] payload, byte[] signature) {
    try {
      Signature s = Signature.getInstance(ModelKeys.ALGORITHM);
      s.initVerify(key);
      s.update(payload);
      return s.verify(signature);
    } catch (GeneralSecurityException e) {
      return false; // a malformed signature verifies nothing
    }
  }

  private static List<Path> files(String setting, Path path) {
    if (Files.isRegularFile(path)) {
      return List.of(path);
    }
    if (!Files.isDirectory(path)) {
      throw new IllegalArgumentException(
          "setting '" + setting + "': " + path + " is neither a public key file nor a directory");
    }
    try (Stream<Path> s = Files.list(path)) {
      List<Path> out =
          new ArrayList<>(
              s.filter(p -> p.toString().endsWith(".pub") || p.toString().endsWith(".pem"))
                  .filter(Files::isRegularFile)
                  .sorted()
                  .toList());
      if (out.isEmpty()) {
        throw new IllegalArgumentException(
            "setting '" + setting + "': directory " + path + " holds no *.pub or *.pem file");
      }
      return out;
    } catch (IOException e) {
      throw new IllegalArgumentException("setting '" + setting + "': cannot list " + path);
    }
  }

  @Override
  public String toString() {
    return enforced() ? "ModelTrust" + names() : "ModelTrust[none]";
  }
}
