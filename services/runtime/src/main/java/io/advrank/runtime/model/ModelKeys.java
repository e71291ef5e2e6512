package io.advrank.runtime.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ed25519 keys of model signing, in the PEM files OpenSSL also reads and writes: a private key is
 * PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}), a public key X.509 SubjectPublicKeyInfo ({@code
 * -----BEGIN PUBLIC KEY-----}). Everything comes from the JDK (17 has Ed25519).
 */
public final class ModelKeys {
  /** The algorithm of keys and signatures. */
  public static final String ALGORITHM = "Ed25519";

  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

  private ModelKeys() {}

  /** A fresh key pair. */
  public static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK 17 has " + ALGORITHM, e);
    }
  }

  /**
   * Writes {@code NAME.key} (private, owner-only where the filesystem allows) and {@code NAME.pub}
   * into {@code dir}; refuses to overwrite either. Returns the private key's path.
   */
  public static Path write(KeyPair pair, Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    Path key = dir.resolve(name + ".key");
    Path pub = dir.resolve(name + ".pub");
    for (Path p : new Path[] {key, pub}) {
      if (Files.exists(p)) {
        throw new IllegalArgumentException(p + " exists; remove it or choose another --name");
      }
    }
    Files.createFile(key);
    try {
      Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX filesystem: the user protects the file
    }
    Files.writeString(key, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
    Files.writeString(pub, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    return key;
  }

  /** PEM text of {@code der} under {@code label}. */
  public static String pem(String label, byte[] der) {
    return "-----BEGIN "
        + label
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + label
        + "-----\n";
  }

  /** An Ed25519 private key from PKCS#8 PEM text. */
  public static PrivateKey privateKey(String pemText) {
    byte[] der = der(pemText, "PRIVATE KEY");
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an Ed25519 private key: " + e.getMessage());
    }
  }

  /** An Ed25519 public key from X.509 PEM text. */
  public static PublicKey publicKey(String pemText) {
    byte[] der = der(pemText, "PUBLIC KEY");
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage());
    }
  }

  /**
   * The public key belonging to {@code key}: Ed25519 derives it from the 32-byte seed, which the
   * JDK's generator takes from its random source, so a source that yields the seed rebuilds the
   * pair.
   */
  public static PublicKey publicOf(PrivateKey key) {
    byte[] seed =
        ((EdECPrivateKey) key)
            .getBytes()
            .orElseThrow(() -> new IllegalArgumentException("the private key hides its bytes"));
    SecureRandom replay =
        new SecureRandom() {
          @Override
          public void nextBytes(byte[] bytes) {
            System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
          }
        };
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance(ALGORITHM);
      g.initialize(NamedParameterSpec.ED25519, replay);
      return g.generateKeyPair().getPublic();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK 17 has " + ALGORITHM, e);
    }
  }

  /** A key's id: the first 16 hex digits of the SHA-256 of its X.509 encoding. */
  public static String fingerprint(PublicKey key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static byte[] der(String pemText, String label) {
    Matcher m = PEM.matcher(pemText);
    if (!m.find() || !m.group(1).equals(label)) {
      throw new IllegalArgumentException("expected PEM text starting with -----BEGIN " + label);
    }
    try {
      return Base64.getMimeDecoder().decode(m.group(2));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("PEM " + label + " is not valid base64");
    }
  }
}
