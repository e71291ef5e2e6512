package io.advrank.runtime.model;

import io.advrank.runtime.settings.SettingsException;
import io.advrank.runtime.settings.SettingsSource;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The signing settings a service reads: which keys it trusts for the versions it serves ({@value
 * #TRUSTED_KEYS}: PEM public key files or directories of them, comma-separated) and, for a
 * publisher, the key it signs with ({@value #SIGNING_KEY}: a PKCS#8 PEM file, or the PEM text
 * itself, e.g. in {@code ADVRANK_MODELS_SIGNING_KEY}). The private key is a secret: it is never
 * logged or echoed in a message. See docs/signing.md.
 *
 * @param trust the keys versions must be signed by; {@link ModelTrust#NONE} checks nothing
 * @param signer the key versions this process publishes are signed with, if any
 */
public record ModelSigning(ModelTrust trust, Optional<ModelSigner> signer) {
  public static final String TRUSTED_KEYS = "models.trusted-keys";
  public static final String SIGNING_KEY = "models.signing-key";

  /** Both keys, for a publishing service's set of known keys. */
  public static final Set<String> KEYS = Set.of(TRUSTED_KEYS, SIGNING_KEY);

  /** The key of a service that only consumes versions. */
  public static final Set<String> CONSUMER_KEYS = Set.of(TRUSTED_KEYS);

  /** Nothing trusted, nothing signed. */
  public static final ModelSigning NONE = new ModelSigning(ModelTrust.NONE, Optional.empty());

  public ModelSigning {
    Objects.requireNonNull(trust, "trust");
    Objects.requireNonNull(signer, "signer");
  }

  /** Reads both settings; an unusable key file fails with a message naming the setting. */
  public static ModelSigning from(SettingsSource source) {
    ModelTrust trust = trustFrom(source);
    try {
      Optional<ModelSigner> signer =
          source.find(SIGNING_KEY).map(v -> ModelSigner.fromSetting(SIGNING_KEY, v));
      return new ModelSigning(trust, signer);
    } catch (SettingsException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new SettingsException(e.getMessage());
    }
  }

  /** Reads {@value #TRUSTED_KEYS} alone (a service that only consumes versions). */
  public static ModelTrust trustFrom(SettingsSource source) {
    try {
      return ModelTrust.load(
          TRUSTED_KEYS, source.list(TRUSTED_KEYS, List.of()).stream().map(Path::of).toList());
    } catch (SettingsException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new SettingsException(e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "ModelSigning[trust=" + trust + ", signer=" + signer.map(ModelSigner::keyId) + "]";
  }
}
