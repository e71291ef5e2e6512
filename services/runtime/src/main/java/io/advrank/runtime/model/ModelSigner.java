package io.advrank.runtime.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Objects;

/**
 * Signs the versions a publisher (the defense-trainer, {@code advrank models publish}) puts on
 * {@code advrank.models} with an Ed25519 private key. The key never appears in logs or messages.
 */
public final class ModelSigner {
  private final PrivateKey key;
  private final String keyId;

  /** A signer with {@code key}. */
  public ModelSigner(PrivateKey key) {
    this.key = Objects.requireNonNull(key, "key");
    this.keyId = ModelKeys.fingerprint(ModelKeys.publicOf(key));
  }

  /**
   * A signer from a setting's value: PKCS#8 PEM text itself (e.g. from an environment variable) or
   * the path of a file holding it.
   *
   * @param setting the setting's name, for messages
   * @throws IllegalArgumentException naming the setting (never the key) when unusable
   */
  public static ModelSigner fromSetting(String setting, String value) {
    Objects.requireNonNull(value, setting);
    String pem = value;
    if (!value.strip().startsWith("-----BEGIN")) {
      try {
        pem = Files.readString(Path.of(value.strip()));
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException(
            "setting '"
                + setting
                + "': cannot read private key file '"
                + value.strip()
                + "' ("
                + e.getClass().getSimpleName()
                + "); expected a PKCS#8 PEM file from `advrank models keygen` or the PEM text");
      }
    }
    try {
      return new ModelSigner(ModelKeys.privateKey(pem));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "setting '" + setting + "': " + e.getMessage() + " (PKCS#8 PEM, Ed25519)");
    }
  }

  /** Fingerprint of this signer's public key. */
  public String keyId() {
    return keyId;
  }

  /** The signature of {@code model}. */
  public ModelSignature sign(AssembledModel model) {
    return sign(ModelSignature.payload(model), model.version());
  }

  /** The signature of the activation (rollback) of {@code version} requested at {@code atMs}. */
  public ModelSignature signActivation(String version, long atMs) {
    return sign(ModelSignature.activationPayload(version, atMs), version);
  }

  private ModelSignature sign(byte[] payload, String version) {
    try {
      Signature s = Signature.getInstance(ModelKeys.ALGORITHM);
      s.initSign(key);
      s.update(payload);
      return new ModelSignature(s.sign(), keyId);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("signing " + version + " failed: " + e, e);
    }
  }

  @Override
  public String toString() {
    return "ModelSigner[key " + keyId + "]";
  }
}
