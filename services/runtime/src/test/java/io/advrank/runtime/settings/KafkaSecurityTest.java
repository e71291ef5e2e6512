package io.advrank.runtime.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.runtime.kafka.ClientProperties;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KafkaSecurityTest {
  private static final String SECRET = "s3cret-Pa55";

  @AfterEach
  void plaintextAgain() {
    ClientProperties.useSecurity(KafkaSecurity.PLAINTEXT);
  }

  @Test
  void readsSaslFromTheEnvironmentAndNeverPrintsThePassword() {
    KafkaSettings settings = KafkaSettings.from(saslSource(SECRET));

    KafkaSecurity security = settings.security();
    assertEquals("SASL_SSL", security.protocol());
    assertEquals("alice", security.saslUsername());
    assertEquals(SECRET, security.saslPassword());
    assertFalse(settings.toString().contains(SECRET), settings.toString());
    assertTrue(security.toString().contains("SCRAM-SHA-512 as alice"), security.toString());
  }

  @Test
  void kafkaLogsTheClientConfigWithTheJaasLineHidden() {
    ClientProperties.useSecurity(KafkaSettings.from(saslSource(SECRET)).security());
    Properties p = ClientProperties.idempotentProducer("k1:9093", "it");

    assertEquals("SASL_SSL", p.get("security.protocol"));
    assertTrue(p.get("sasl.jaas.config").toString().contains("password=\"" + SECRET + "\""));
    // ProducerConfig logs every value through its type: passwords as [hidden].
    ProducerConfig config = new ProducerConfig(p);
    assertEquals("[hidden]", config.getPassword("sasl.jaas.config").toString());
    assertFalse(config.values().toString().contains(SECRET));
  }

  @Test
  void saslWithoutAPasswordNamesTheSettingAndItsVariable() {
    SettingsException e =
        assertThrows(SettingsException.class, () -> KafkaSettings.from(saslSource("")));
    assertTrue(e.getMessage().contains("'kafka.sasl.password' is required"), e.getMessage());
    assertTrue(e.getMessage().contains("ADVRANK_KAFKA_SASL_PASSWORD"), e.getMessage());
  }

  @Test
  void anUnknownProtocolListsTheAcceptedOnes() {
    SettingsSource source =
        SettingsSource.load(
            KafkaSettings.KEYS, Map.of("kafka.security.protocol", "TLS"), Map.of(), null);
    SettingsException e = assertThrows(SettingsException.class, () -> KafkaSettings.from(source));
    assertEquals(
        "setting 'kafka.security.protocol' must be one of PLAINTEXT, SSL, SASL_PLAINTEXT,"
            + " SASL_SSL, got 'TLS'",
        e.getMessage());
  }

  @Test
  void aKeystoreOnAPlaintextConnectionIsRefused() {
    SettingsSource source =
        SettingsSource.load(
            KafkaSettings.KEYS,
            Map.of("kafka.ssl.keystore.location", "/etc/hosts"),
            Map.of(),
            null);
    SettingsException e = assertThrows(SettingsException.class, () -> KafkaSettings.from(source));
    assertTrue(
        e.getMessage().startsWith("setting 'kafka.ssl.keystore.location' needs"), e.getMessage());
  }

  private static SettingsSource saslSource(String password) {
    return SettingsSource.load(
        KafkaSettings.KEYS,
        Map.of(),
        Map.of(
            "ADVRANK_KAFKA_SECURITY_PROTOCOL", "sasl_ssl",
            "ADVRANK_KAFKA_SASL_USERNAME", "alice",
            "ADVRANK_KAFKA_SASL_PASSWORD", password),
        null);
  }
}
