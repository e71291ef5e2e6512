package io.advrank.runtime.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ImageKind;
import io.advrank.proto.v1.RankShift;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class ProtoSerdeTest {
  private final ProtoSerde<ImageEvent> serde = ProtoSerde.of(ImageEvent.getDefaultInstance());
  private final ImageEvent event =
      ImageEvent.newBuilder()
          .setEventId("e-1")
          .setKind(ImageKind.IMAGE_KIND_QUERY)
          .setItemId("q-1")
          .build();

  @Test
  void roundTripsAMessage() {
    byte[] bytes = serde.serializer().serialize("advrank.queries", event);

    assertEquals(event, serde.deserializer().deserialize("advrank.queries", bytes));
  }

  @Test
  void mapsTombstonesToNull() {
    assertNull(serde.serialize("t", null));
    assertNull(serde.deserialize("t", null));
  }

  @Test
  void rejectsGarbageWithTopicTypeAndSize() {
    byte[] garbage = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01, 0x02};

    MalformedRecordException e =
        assertThrows(
            MalformedRecordException.class, () -> serde.deserialize("advrank.queries", garbage));

    assertTrue(e.getMessage().contains("advrank.queries"), e.getMessage());
    assertTrue(e.getMessage().contains("advrank.v1.ImageEvent"), e.getMessage());
    assertTrue(e.getMessage().contains("5 bytes"), e.getMessage());
    assertEquals("advrank.v1.ImageEvent", e.expectedType());
    // Consumers and Streams handlers treat it as bad input, not as a broker failure.
    assertTrue(e instanceof SerializationException);
  }

  @Test
  void rejectsTruncatedMessage() {
    byte[] whole = serde.serialize("t", event);
    byte[] truncated = Arrays.copyOf(whole, whole.length - 1);

    assertThrows(MalformedRecordException.class, () -> serde.deserialize("t", truncated));
  }

  @Test
  void stampsTypeHeaderAndReplacesAForwardedOne() {
    RecordHeaders headers = new RecordHeaders();
    headers.add(ProtoSerde.TYPE_HEADER, "advrank.v1.RankShift".getBytes(StandardCharsets.UTF_8));

    serde.serialize("t", headers, event);

    assertEquals(1, headers.toArray().length);
    assertEquals(
        "advrank.v1.ImageEvent",
        new String(headers.lastHeader(ProtoSerde.TYPE_HEADER).value(), StandardCharsets.UTF_8));
  }

  @Test
  void rejectsRecordWrittenAsAnotherType() {
    ProtoSerde<RankShift> shifts = ProtoSerde.of(RankShift.getDefaultInstance());
    RecordHeaders headers = new RecordHeaders();
    byte[] bytes = shifts.serialize("t", headers, RankShift.newBuilder().setSubjectId("x").build());

    MalformedRecordException e =
        assertThrows(MalformedRecordException.class, () -> serde.deserialize("t", headers, bytes));

    assertTrue(
        e.getMessage().contains("the producer wrote a advrank.v1.RankShift"), e.getMessage());
  }

  @Test
  void acceptsRecordsWithoutTypeHeader() {
    byte[] bytes = serde.serialize("t", event);

    assertEquals(event, serde.deserialize("t", new RecordHeaders(), bytes));
  }
}
