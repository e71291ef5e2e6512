package io.advrank.runtime.wire;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for one protobuf message type: the bytes on the wire are the message's standard
 * binary encoding, so any protobuf reader (any language) can consume our topics.
 *
 * <p>Protobuf bytes carry no type name, so a wrong serde on a topic would silently decode one
 * message as another. To catch that, the serializer stamps the full type name into the {@value
 * #TYPE_HEADER} header and the deserializer rejects a record whose header names another type.
 * Records without the header (other producers) are accepted. Unknown fields written by newer
 * producers are kept, so a record survives a pass through an older service unchanged.
 *
 * <p>A null payload (a tombstone) maps to null both ways. Use it for record values only: as a key
 * serde its type header would be overwritten by the value's (all advrank keys are strings).
 *
 * @param <T> the message type
 */
public final class ProtoSerde<T extends Message>
    implements Serde<T>, Serializer<T>, Deserializer<T> {

  /** Header holding the value's full protobuf type name, e.g. {@code advrank.v1.ImageEvent}. */
  public static final String TYPE_HEADER = "advrank.type";

  private final Parser<T> parser;
  private final String typeName;
  private final byte[] typeNameBytes;

  private ProtoSerde(T defaultInstance) {
    @SuppressWarnings("unchecked")
    Parser<T> p = (Parser<T>) defaultInstance.getParserForType();
    this.parser = p;
    this.typeName = defaultInstance.getDescriptorForType().getFullName();
    this.typeNameBytes = typeName.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A serde for the type of {@code defaultInstance}, e.g. {@code ImageEvent.getDefaultInstance()}.
   */
  public static <T extends Message> ProtoSerde<T> of(T defaultInstance) {
    return new ProtoSerde<>(Objects.requireNonNull(defaultInstance, "defaultInstance"));
  }

  /** Full protobuf name of the message type, e.g. {@code advrank.v1.ImageEvent}. */
  public String typeName() {
    return typeName;
  }

  @Override
  public byte[] serialize(String topic, T message) {
    return message == null ? null : message.toByteArray();
  }

  @Override
  public byte[] serialize(String topic, Headers headers, T message) {
    if (message != null && headers != null) {
      // remove first: Streams forwards input headers, which may name the input's type.
      headers.remove(TYPE_HEADER).add(TYPE_HEADER, typeNameBytes);
    }
    return serialize(topic, message);
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    try {
      return parser.parseFrom(data);
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedRecordException(topic, typeName, data.length, e.getMessage(), e);
    }
  }

  @Override
  public T deserialize(String topic, Headers headers, byte[] data) {
    Header header = headers == null ? null : headers.lastHeader(TYPE_HEADER);
    if (data != null && header != null && header.value() != null) {
      String written = new String(header.value(), StandardCharsets.UTF_8);
      if (!written.equals(typeName)) {
        throw new MalformedRecordException(
            topic, typeName, data.length, "the producer wrote a " + written, null);
      }
    }
    return deserialize(topic, data);
  }

  @Override
  public Serializer<T> serializer() {
    return this;
  }

  @Override
  public Deserializer<T> deserializer() {
    return this;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    // Nothing to configure: the type is fixed at construction.
  }

  @Override
  public void close() {
    // Stateless.
  }

  @Override
  public String toString() {
    return "ProtoSerde[" + typeName + "]";
  }
}
