package io.advrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.embedded.EmbeddedKafka;
import io.advrank.runtime.model.ModelTopic;
import io.advrank.runtime.topic.Topics;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code advrank models} against a real broker: publish, list, show, rollback, bad arguments. */
class ModelsCommandIT {
  @TempDir java.nio.file.Path out; // the export's directory

  private static final String MODEL = "../../models/fmnist-c2f1";

  @Test
  void publishesListsShowsAndRollsBackVersions() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      String bootstrap = kafka.bootstrapServers();
      try (Admin admin =
          Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
        Topics.createAll(admin, (short) 1, Duration.ofSeconds(30));
      }
      CliRun p1 = CliRun.of("models", "publish", MODEL, "--bootstrap-servers", bootstrap);
      assertEquals(0, p1.exitCode(), p1.err());
      assertTrue(p1.out().contains("published fmnist-c2f1-v1"), p1.out());
      CliRun p2 =
          CliRun.of(
              "models", "publish", MODEL, "--version", "copy-2", "--bootstrap-servers", bootstrap);
      assertEquals(0, p2.exitCode(), p2.err());

      CliRun list = CliRun.of("models", "list", "--bootstrap-servers", bootstrap);
      assertEquals(0, list.exitCode(), list.err());
      assertTrue(list.out().matches("(?s).*\\*\\s+copy-2\\s.*"), "newest served:\n" + list.out());
      assertTrue(list.out().contains("0.8728"), "R@1 from the manifest:\n" + list.out());

      CliRun show = CliRun.of("models", "show", "copy-2", "--bootstrap-servers", bootstrap);
      assertEquals(0, show.exitCode(), show.err());
      assertTrue(show.out().contains("\"version\": \"copy-2\""), show.out());

      CliRun export =
          CliRun.of("models", "export", "copy-2", out.toString(), "--bootstrap-servers", bootstrap);
      assertEquals(0, export.exitCode(), export.err());
      try (var m = io.advrank.core.model.EmbeddingModel.load(out, ai.djl.Device.cpu())) {
        assertEquals("copy-2", m.version(), "exported weights load with their sha256 verified");
        // The shipped model's detector thresholds travel with the version (the monitor's).
        assertEquals(
            io.advrank.core.model.ModelManifest.read(java.nio.file.Path.of(MODEL)).detection(),
            m.manifest().detection());
      }

      CliRun back =
          CliRun.of("models", "rollback", "fmnist-c2f1-v1", "--bootstrap-servers", bootstrap);
      assertEquals(0, back.exitCode(), back.err());
      assertTrue(back.out().contains("rolled back to fmnist-c2f1-v1 (was copy-2)"), back.out());
      assertEquals(
          "fmnist-c2f1-v1",
          ModelTopic.read(bootstrap, Duration.ofSeconds(30)).active().orElseThrow());

      CliRun unknown = CliRun.of("models", "rollback", "nope", "--bootstrap-servers", bootstrap);
      assertEquals(AdvrankCli.EXIT_BAD_INPUT, unknown.exitCode());
      assertTrue(unknown.err().contains("VERSION: 'nope' is not on advrank.models"), unknown.err());
    }
  }
}
