package io.advrank.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority in a directory, made with the JDK's {@code keytool} (the JDK
 * has no public API to sign a certificate), for a secured {@link EmbeddedKafka} in tests. Every
 * store is PKCS12 under one password; certificates are EC P-256 and valid for two days.
 *
 * <pre>{@code
 * ThrowawayCa ca = ThrowawayCa.create(dir, "changeit");
 * Path broker = ca.keystore("broker");      // certificate for IP 127.0.0.1 and localhost
 * Path client = ca.keystore("client");      // a client certificate, for mTLS
 * Path trust = ca.truststore();             // trusts exactly this CA
 * }</pre>
 */
public final class ThrowawayCa {
  private static final String KEYTOOL =
      Path.of(System.getProperty("java.home"), "bin", "keytool").toString();

  private final Path dir;
  private final String password;
  private final Path caStore;
  private final Path caCert;

  private ThrowawayCa(Path dir, String password) {
    this.dir = dir;
    this.password = password;
    this.caStore = dir.resolve("ca.p12");
    this.caCert = dir.resolve("ca.pem");
  }

  /** A new CA, named {@code CN=advrank-test-ca-<directory name>}, in {@code dir}. */
  public static ThrowawayCa create(Path dir, String password) {
    ThrowawayCa ca = new ThrowawayCa(dir, password);
    ca.keytool(
        "-genkeypair",
        "-alias",
        "ca",
        "-dname",
        "CN=advrank-test-ca-" + dir.getFileName(),
        "-ext",
        "bc:c",
        "-keystore",
        ca.caStore.toString());
    ca.keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "ca",
        "-keystore",
        ca.caStore.toString(),
        "-file",
        ca.caCert.toString());
    return ca;
  }

  /** A truststore holding this CA's certificate only. */
  public Path truststore() {
    Path store = dir.resolve("truststore.p12");
    if (!store.toFile().exists()) {
      keytool(
          "-importcert",
          "-noprompt",
          "-alias",
          "ca",
          "-file",
          caCert.toString(),
          "-keystore",
          store.toString());
    }
    return store;
  }

  /**
   * A keystore {@code NAME.p12} with a key and a certificate {@code CN=name} this CA signed, valid
   * for IP 127.0.0.1 and DNS localhost, with the CA's certificate in its chain.
   */
  public Path keystore(String name) {
    Path store = dir.resolve(name + ".p12");
    Path request = dir.resolve(name + ".csr");
    Path signed = dir.resolve(name + ".pem");
    keytool("-genkeypair", "-alias", name, "-dname", "CN=" + name, "-keystore", store.toString());
    keytool("-certreq", "-alias", name, "-keystore", store.toString(), "-file", request.toString());
    keytool(
        "-gencert",
        "-rfc",
        "-alias",
        "ca",
        "-keystore",
        caStore.toString(),
        "-infile",
        request.toString(),
        "-outfile",
        signed.toString(),
        "-ext",
        "SAN=ip:127.0.0.1,dns:localhost");
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-file",
        caCert.toString(),
        "-keystore",
        store.toString());
    keytool(
        "-importcert", "-alias", name, "-file", signed.toString(), "-keystore", store.toString());
    return store;
  }

  private void keytool(String... args) {
    List<String> argv = new ArrayList<>(List.of(KEYTOOL));
    argv.addAll(List.of(args));
    argv.addAll(List.of("-storepass", password, "-storetype", "PKCS12"));
    if (args[0].equals("-genkeypair")) {
      argv.addAll(List.of("-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2"));
    }
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("keytool " + args[0] + " failed: " + output.strip());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + KEYTOOL, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running keytool", e);
    }
  }
}
