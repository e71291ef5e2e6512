package io.advrank.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The broker of the security tests: a {@link ThrowawayCa} in a temporary directory and an {@link
 * EmbeddedKafka} started with its certificate, a {@code SASL_SSL} listener (TLS + SCRAM-SHA-512
 * users) and an {@code SSL} (mTLS) listener, and with {@link #withAcls} the ACL authoriser on. The
 * plain-text listener stays a super user, for the test's own set-up and checks ({@link
 * #superAdmin}). One per test class; {@link #close} stops the broker and deletes the CA.
 *
 * <pre>{@code
 * SecuredKafka secured = SecuredKafka.withAcls(Map.of(USER, PASSWORD));
 * secured.kafka().grant(RankerAcls.of(settings, "User:" + USER));
 * KafkaSecurity client =
 *     KafkaSecurity.scramOverTls(USER, PASSWORD, secured.truststore(), secured.storePassword());
 * ... secured.kafka().bootstrapServers("SASL_SSL") ...
 * }</pre>
 */
public final class SecuredKafka implements AutoCloseable {
  /** The one password of every store (keystores and truststore) this fixture makes. */
  public static final String STORE_PASSWORD = "store-secret";

  private final Path dir;
  private final ThrowawayCa ca;
  private final EmbeddedKafka kafka;

  private SecuredKafka(Path dir, ThrowawayCa ca, EmbeddedKafka kafka) {
    this.dir = dir;
    this.ca = ca;
    this.kafka = kafka;
  }

  /**
   * A broker that authorises every request by its ACLs: {@code users} (name → password) may do only
   * what {@link EmbeddedKafka#grant} allows them.
   */
  public static SecuredKafka withAcls(Map<String, String> users) {
    return start(users, true);
  }

  /** A broker on which every authenticated user may do anything. */
  public static SecuredKafka withoutAcls(Map<String, String> users) {
    return start(users, false);
  }

  private static SecuredKafka start(Map<String, String> users, boolean acls) {
    Path dir;
    try {
      dir = Files.createTempDirectory("advrank-secured-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ThrowawayCa ca = ThrowawayCa.create(dir, STORE_PASSWORD);
    EmbeddedKafka kafka =
        EmbeddedKafka.startSecured(
            new EmbeddedKafka.Security(
                ca.keystore("broker"), ca.truststore(), STORE_PASSWORD, users, acls));
    return new SecuredKafka(dir, ca, kafka);
  }

  /** The broker. */
  public EmbeddedKafka kafka() {
    return kafka;
  }

  /** The CA that signed the broker's certificate: more keystores (client certificates) from it. */
  public ThrowawayCa ca() {
    return ca;
  }

  /** The truststore a client needs to trust the broker (PKCS12, {@link #storePassword}). */
  public Path truststore() {
    return ca.truststore();
  }

  /** The password of every store of this fixture. */
  public String storePassword() {
    return STORE_PASSWORD;
  }

  /** An admin client on the plain-text listener: a super user, past every ACL. */
  public Admin superAdmin() {
    return Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
  }

  /** Stops the broker and deletes the CA's directory. Idempotent. */
  @Override
  public void close() {
    kafka.close();
    EmbeddedKafka.deleteRecursively(dir);
  }
}
