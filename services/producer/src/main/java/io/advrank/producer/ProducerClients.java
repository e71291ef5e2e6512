package io.advrank.producer;

import io.advrank.runtime.kafka.ClientProperties;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;

/** The one place where the producer service's Kafka client properties are built. */
final class ProducerClients {
  /**
   * The largest request the producer sends ({@code max.request.size}): Kafka's default 1 MiB, which
   * brokers and topics accept by default too, so an event never needs a cluster change.
   */
  static final int MAX_REQUEST_BYTES = 1024 * 1024;

  private ProducerClients() {}

  /** Idempotent, fully acknowledged sends: a broker retry never duplicates or loses an event. */
  static Properties producer(ProducerSettings settings) {
    Properties p =
        ClientProperties.idempotentProducer(
            settings.kafka().bootstrapServers(), "advrank-" + settings.producerId());
    // A few ms of batching costs little latency and saves many small requests at high rates.
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_REQUEST_BYTES);
    return p;
  }

  /** For creating the topics at start-up. */
  static Properties admin(ProducerSettings settings) {
    return ClientProperties.admin(
        settings.kafka().bootstrapServers(), "advrank-" + settings.producerId() + "-admin");
  }
}
