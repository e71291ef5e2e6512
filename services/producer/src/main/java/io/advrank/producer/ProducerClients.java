package io.advrank.producer;

import io.advrank.runtime.kafka.ClientProperties;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;

/** The one place where the producer service's Kafka client properties are built. */
final class ProducerClients {
  private ProducerClients() {}

  /** Idempotent, fully acknowledged sends: a broker retry never duplicates or loses an event. */
  static Properties producer(ProducerSettings settings) {
    Properties p =
        ClientProperties.idempotentProducer(
            settings.kafka().bootstrapServers(), "advrank-" + settings.producerId());
    // A few ms of batching costs little latency and saves many small requests at high rates.
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return p;
  }

  /** For creating the topics at start-up. */
  static Properties admin(ProducerSettings settings) {
    return ClientProperties.admin(
        settings.kafka().bootstrapServers(), "advrank-" + settings.producerId() + "-admin");
  }
}
