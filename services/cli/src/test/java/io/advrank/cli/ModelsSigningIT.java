package io.advrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.embedded.EmbeddedKafka;
import io.advrank.runtime.topic.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code advrank models keygen}, {@code publish --signing-key} and {@code list --trusted-keys}
 * against a real broker: the list names who signed, and shows versions of an untrusted key or none
 * as refused for signature.
 */
class ModelsSigningIT {
  private static final String MODEL = "../../models/fmnist-c2f1";

  @Test
  void listsTheSignerAndRefusesWhatNoTrustedKeySigned(@TempDir Path dir) throws Exception {
    Path trusted = dir.resolve("trusted");
    Path other = dir.resolve("other");
    CliRun keygen = CliRun.of("models", "keygen", "--name", "release", "--out", trusted.toString());
    assertEquals(0, keygen.exitCode(), keygen.err());
    assertTrue(keygen.out().contains("release.key (private"), keygen.out());
    assertEquals(
        0, CliRun.of("models", "keygen", "--name", "eve", "--out", other.toString()).exitCode());
    Files.move(trusted.resolve("release.key"), dir.resolve("release.key")); // only .pub stays
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      String bootstrap = kafka.bootstrapServers();
      try (Admin admin =
          Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
        Topics.createAll(admin, (short) 1, Duration.ofSeconds(30));
      }
      publish(bootstrap, "signed-1", dir.resolve("release.key").toString());
      publish(bootstrap, "by-eve-2", other.resolve("eve.key").toString());
      publish(bootstrap, "plain-3", null);

      CliRun list =
          CliRun.of(
              "models",
              "list",
              "--bootstrap-servers",
              bootstrap,
              "--trusted-keys",
              trusted.toString());
      assertEquals(0, list.exitCode(), list.err());
      assertTrue(list.out().matches("(?s).*\\*\\s+signed-1\\s.*\\srelease\\n.*"), list.out());
      assertTrue(list.out().contains("refused by-eve-2 (signature): signed by key"), list.out());
      assertTrue(list.out().contains("refused plain-3 (signature): unsigned"), list.out());
      assertTrue(list.out().contains("1 version(s)"), list.out());

      CliRun unchecked = CliRun.of("models", "list", "--bootstrap-servers", bootstrap);
      assertTrue(unchecked.out().contains("3 version(s)"), unchecked.out());
      assertTrue(unchecked.out().contains("not checked (key "), unchecked.out());
      assertTrue(unchecked.out().matches("(?s).*plain-3\\s.*\\sunsigned\\n.*"), unchecked.out());

      CliRun show =
          CliRun.of(
              "models",
              "show",
              "signed-1",
              "--bootstrap-servers",
              bootstrap,
              "--trusted-keys",
              trusted.toString());
      assertTrue(show.out().contains("signed by:  release"), show.out());

      publish(bootstrap, "signed-4", dir.resolve("release.key").toString());
      CliRun unsignedRollback =
          CliRun.of(
              "models",
              "rollback",
              "signed-1",
              "--bootstrap-servers",
              bootstrap,
              "--trusted-keys",
              trusted.toString());
      assertEquals(0, unsignedRollback.exitCode(), unsignedRollback.err());
      CliRun stillNewest =
          CliRun.of(
              "models",
              "list",
              "--bootstrap-servers",
              bootstrap,
              "--trusted-keys",
              trusted.toString());
      assertTrue(stillNewest.out().matches("(?s).*\\*\\s+signed-4\\s.*"), stillNewest.out());
      assertTrue(stillNewest.out().contains("(signature): unsigned rollback"), stillNewest.out());
      CliRun signedRollback =
          CliRun.of(
              "models",
              "rollback",
              "signed-1",
              "--bootstrap-servers",
              bootstrap,
              "--trusted-keys",
              trusted.toString(),
              "--signing-key",
              dir.resolve("release.key").toString());
      assertEquals(0, signedRollback.exitCode(), signedRollback.err());
      CliRun rolledBack =
          CliRun.of(
              "models",
              "list",
              "--bootstrap-servers",
              bootstrap,
              "--trusted-keys",
              trusted.toString());
      assertTrue(rolledBack.out().matches("(?s).*\\*\\s+signed-1\\s.*"), rolledBack.out());

      CliRun badKey =
          CliRun.of(
              "models",
              "publish",
              MODEL,
              "--bootstrap-servers",
              bootstrap,
              "--signing-key",
              trusted.resolve("release.pub").toString());
      assertEquals(AdvrankCli.EXIT_BAD_INPUT, badKey.exitCode());
      assertTrue(badKey.err().contains("setting '--signing-key'"), badKey.err());
      String keyBody = Files.readAllLines(trusted.resolve("release.pub")).get(1);
      assertFalse(badKey.err().contains(keyBody), "never echoes key material: " + badKey.err());
    }
  }

  private static void publish(String bootstrap, String version, String key) {
    CliRun run =
        key == null
            ? CliRun.of(
                "models", "publish", MODEL, "--version", version, "--bootstrap-servers", bootstrap)
            : CliRun.of(
                "models",
                "publish",
                MODEL,
                "--version",
                version,
                "--bootstrap-servers",
                bootstrap,
                "--signing-key",
                key);
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains(key == null ? "unsigned" : "signed by key"), run.out());
  }
}
