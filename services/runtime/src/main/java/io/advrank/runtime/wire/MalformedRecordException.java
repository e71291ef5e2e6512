package io.advrank.runtime.wire;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Thrown when a record's bytes cannot be read as the message type its topic carries.
 *
 * <p>It extends Kafka's {@link SerializationException} so that consumers and Kafka Streams'
 * deserialization handlers treat it as bad input (dead-letter it, keep going), never as a broker
 * failure. The message names the topic, the expected type and the record size, which is what an
 * operator needs to find the producer at fault.
 */
public class MalformedRecordException extends SerializationException {
  private static final long serialVersionUID = 1L;

  private final String topic;
  private final String expectedType;

  /** Creates the exception; {@code cause} may be null when the check was ours, not protobuf's. */
  public MalformedRecordException(
      String topic, String expectedType, int size, String problem, Throwable cause) {
    super(
        "cannot read %d bytes on topic '%s' as %s: %s"
            .formatted(size, topic, expectedType, problem),
        cause);
    this.topic = topic;
    this.expectedType = expectedType;
  }

  /** The topic the record came from (may be null when not known to the deserializer). */
  public String topic() {
    return topic;
  }

  /** Full protobuf name of the type that was expected, e.g. {@code advrank.v1.ImageEvent}. */
  public String expectedType() {
    return expectedType;
  }
}
