package io.advrank.runtime.settings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * How a process authenticates to Kafka and encrypts its traffic: TLS, SASL/SCRAM and client
 * certificates (mTLS), read once with the other {@link KafkaSettings}. Passwords are never part of
 * {@link #toString()} nor of any settings message.
 *
 * @param protocol {@code kafka.security.protocol}: PLAINTEXT (default), SSL, SASL_PLAINTEXT or
 *     SASL_SSL
 * @param saslMechanism {@code kafka.sasl.mechanism}: SCRAM-SHA-512 (default) or SCRAM-SHA-256
 * @param saslUsername {@code kafka.sasl.username}, required for SASL_*
 * @param saslPassword {@code kafka.sasl.password}, required for SASL_*
 * @param truststore {@code kafka.ssl.truststore.location}: a PKCS12 (or JKS) file with the CA that
 *     signed the brokers' certificates; empty = the JVM's default CAs
 * @param truststorePassword {@code kafka.ssl.truststore.password}
 * @param keystore {@code kafka.ssl.keystore.location}: this client's certificate and key for mTLS;
 *     empty = no client certificate
 * @param keystorePassword {@code kafka.ssl.keystore.password} (also the key's password)
 * @param verifyHostname {@code kafka.ssl.verify.hostname}: check that the broker's certificate
 *     names the host dialled (default true)
 */
public record KafkaSecurity(
    String protocol,
    String saslMechanism,
    String saslUsername,
    String saslPassword,
    Optional<Path> truststore,
    String truststorePassword,
    Optional<Path> keystore,
    String keystorePassword,
    boolean verifyHostname) {

  public static final String PROTOCOL = "kafka.security.protocol";
  public static final String SASL_MECHANISM = "kafka.sasl.mechanism";
  public static final String SASL_USERNAME = "kafka.sasl.username";
  public static final String SASL_PASSWORD = "kafka.sasl.password";
  public static final String TRUSTSTORE = "kafka.ssl.truststore.location";
  public static final String TRUSTSTORE_PASSWORD = "kafka.ssl.truststore.password";
  public static final String KEYSTORE = "kafka.ssl.keystore.location";
  public static final String KEYSTORE_PASSWORD = "kafka.ssl.keystore.password";
  public static final String VERIFY_HOSTNAME = "kafka.ssl.verify.hostname";

  /** Every key read by {@link #from}. */
  public static final Set<String> KEYS =
      Set.of(
          PROTOCOL,
          SASL_MECHANISM,
          SASL_USERNAME,
          SASL_PASSWORD,
          TRUSTSTORE,
          TRUSTSTORE_PASSWORD,
          KEYSTORE,
          KEYSTORE_PASSWORD,
          VERIFY_HOSTNAME);

  // Before PLAINTEXT: its constructor checks against them.
  private static final Set<String> PROTOCOLS =
      Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
  private static final Set<String> MECHANISMS = Set.of("SCRAM-SHA-512", "SCRAM-SHA-256");

  /** Unencrypted and unauthenticated: a local broker. */
  public static final KafkaSecurity PLAINTEXT =
      new KafkaSecurity(
          "PLAINTEXT", "SCRAM-SHA-512", "", "", Optional.empty(), "", Optional.empty(), "", true);

  /** Checks the values; messages name the setting, and never a password. */
  public KafkaSecurity {
    SettingsRules.require(
        PROTOCOLS.contains(protocol),
        PROTOCOL,
        protocol,
        "must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL");
    SettingsRules.require(
        MECHANISMS.contains(saslMechanism),
        SASL_MECHANISM,
        saslMechanism,
        "must be SCRAM-SHA-512 or SCRAM-SHA-256");
    if (protocol.startsWith("SASL_")) {
      requireGiven(saslUsername, SASL_USERNAME, PROTOCOL + " is " + protocol);
      requireGiven(saslPassword, SASL_PASSWORD, PROTOCOL + " is " + protocol);
      SettingsRules.require(
          !saslUsername.contains("\"") && !saslUsername.contains("\\"),
          SASL_USERNAME,
          saslUsername,
          "must not contain '\"' or '\\'");
    }
    boolean tls = protocol.equals("SSL") || protocol.equals("SASL_SSL");
    checkStore(truststore, TRUSTSTORE, tls, protocol);
    checkStore(keystore, KEYSTORE, tls, protocol);
    if (keystore.isPresent()) {
      requireGiven(keystorePassword, KEYSTORE_PASSWORD, KEYSTORE + " is set");
    }
  }

  /**
   * TLS with SCRAM-SHA-512 authentication as {@code user} ({@code SASL_SSL}), trusting the brokers
   * whose certificates {@code truststore} (PKCS12) signs; host names verified.
   */
  public static KafkaSecurity scramOverTls(
      String user, String password, Path truststore, String truststorePassword) {
    return new KafkaSecurity(
        "SASL_SSL",
        "SCRAM-SHA-512",
        user,
        password,
        Optional.of(truststore),
        truststorePassword,
        Optional.empty(),
        "",
        true);
  }

  /** Reads the settings; without any, {@link #PLAINTEXT}. */
  public static KafkaSecurity from(SettingsSource source) {
    String protocol = source.string(PROTOCOL, "PLAINTEXT").trim().toUpperCase(Locale.ROOT);
    return new KafkaSecurity(
        protocol,
        source.string(SASL_MECHANISM, "SCRAM-SHA-512").trim().toUpperCase(Locale.ROOT),
        source.string(SASL_USERNAME, ""),
        source.string(SASL_PASSWORD, ""),
        source.find(TRUSTSTORE).map(String::trim).filter(s -> !s.isEmpty()).map(Path::of),
        source.string(TRUSTSTORE_PASSWORD, ""),
        source.find(KEYSTORE).map(String::trim).filter(s -> !s.isEmpty()).map(Path::of),
        source.string(KEYSTORE_PASSWORD, ""),
        source.bool(VERIFY_HOSTNAME, true));
  }

  /** True when SASL authenticates the client. */
  public boolean sasl() {
    return protocol.startsWith("SASL_");
  }

  /** True when traffic is encrypted with TLS. */
  public boolean tls() {
    return protocol.endsWith("SSL");
  }

  /** The settings without their passwords, for logs and messages. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("KafkaSecurity[").append(protocol);
    if (sasl()) {
      s.append(", ").append(saslMechanism).append(" as ").append(saslUsername);
    }
    truststore.ifPresent(t -> s.append(", truststore ").append(t));
    keystore.ifPresent(k -> s.append(", client certificate ").append(k));
    if (tls() && !verifyHostname) {
      s.append(", hostname not verified");
    }
    return s.append(']').toString();
  }

  private static void requireGiven(String value, String key, String when) {
    if (value == null || value.isEmpty()) {
      throw new SettingsException(
          "setting '%s' is required when %s: set flag --%s, environment variable %s or %s in a settings file"
              .formatted(key, when, key, SettingsSource.envName(key), key));
    }
  }

  private static void checkStore(Optional<Path> store, String key, boolean tls, String protocol) {
    if (store.isEmpty()) {
      return;
    }
    SettingsRules.require(
        tls, key, store.get(), "needs " + PROTOCOL + " SSL or SASL_SSL (it is " + protocol + ")");
    SettingsRules.require(
        Files.isReadable(store.get()), key, store.get(), "must be a readable keystore file");
  }
}
