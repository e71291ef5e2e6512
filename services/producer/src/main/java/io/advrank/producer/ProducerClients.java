package io.advrank.producer;

import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/** The one place where the producer service's Kafka client properties are built. */
final class ProducerClients {
  private ProducerClients() {}

  /** Idempotent, fully acknowledged sends: a broker retry never duplicates or loses an event. */
  static Properties producer(ProducerSettings settings) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafka().bootstrapServers());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "advrank-" + settings.producerId());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // A few ms of batching costs little latency and saves many small requests at high rates.
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    // One request in flight: with five, a retried batch (NOT_LEADER_OR_FOLLOWER while a fresh
    // topic elects its leader) could reach the broker after its successor, and the producer then
    // looped on OUT_OF_ORDER_SEQUENCE_NUMBER (ProducerIT, 3 of 6 runs on a loaded machine).
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    return p;
  }

  /** For creating the topics at start-up. */
  static Properties admin(ProducerSettings settings) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafka().bootstrapServers());
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "advrank-" + settings.producerId() + "-admin");
    return p;
  }
}
