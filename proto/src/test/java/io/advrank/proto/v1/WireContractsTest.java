package io.advrank.proto.v1;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Round trips and schema-evolution guarantees of the advrank.v1 wire contracts. */
class WireContractsTest {

  private static ImageEvent sampleEvent() {
    byte[] pixels = new byte[28 * 28];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) i;
    }
    return ImageEvent.newBuilder()
        .setEventId("e-1")
        .setKind(ImageKind.IMAGE_KIND_CATALOG_ITEM)
        .setItemId("c-17")
        .setLabel(3)
        .setPixels(
            Pixels.newBuilder()
                .setChannels(1)
                .setHeight(28)
                .setWidth(28)
                .setUint8(ByteString.copyFrom(pixels)))
        .setProducedAtMs(1_700_000_000_000L)
        .setSource(Source.newBuilder().setProducer("producer-0").setDataset("fmnist").setSeed(7))
        .build();
  }

  @Test
  void imageEventSurvivesRoundTrip() throws InvalidProtocolBufferException {
    ImageEvent event = sampleEvent();

    ImageEvent parsed = ImageEvent.parseFrom(event.toByteArray());

    assertEquals(event, parsed);
    assertEquals(Pixels.DataCase.UINT8, parsed.getPixels().getDataCase());
    assertEquals(784, parsed.getPixels().getUint8().size());
  }

  @Test
  void encodedPhotoRoundTripsBesideTheTensorForms() throws IOException {
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0};
    ImageEvent event =
        sampleEvent().toBuilder()
            .setPixels(
                Pixels.newBuilder()
                    .setEncoded(
                        EncodedPhoto.newBuilder()
                            .setFormat(PhotoFormat.PHOTO_FORMAT_PNG)
                            .setData(ByteString.copyFrom(png))))
            .build();

    ImageEvent parsed = ImageEvent.parseFrom(event.toByteArray());

    assertEquals(event, parsed);
    assertEquals(Pixels.DataCase.ENCODED, parsed.getPixels().getDataCase());
    assertEquals(0, parsed.getPixels().getChannels(), "a file's size is optional");
    assertArrayEquals(png, parsed.getPixels().getEncoded().getData().toByteArray());
    // Added with a new number: the tensor forms keep theirs, so older records read as before.
    assertEquals(4, Pixels.UINT8_FIELD_NUMBER);
    assertEquals(5, Pixels.FLOAT32_LE_FIELD_NUMBER);
    assertEquals(6, Pixels.ENCODED_FIELD_NUMBER);
    assertEquals(0, PhotoFormat.PHOTO_FORMAT_UNSPECIFIED.getNumber());
    // A format from a newer writer (say WebP, 3) is kept as a number for the reader to refuse.
    byte[] newer = appendVarintField(new byte[0], EncodedPhoto.FORMAT_FIELD_NUMBER, 3);
    assertEquals(PhotoFormat.UNRECOGNIZED, EncodedPhoto.parseFrom(newer).getFormat());
  }

  @Test
  void optionalLabelDistinguishesUnknownFromZero() throws InvalidProtocolBufferException {
    ImageEvent unlabelled = sampleEvent().toBuilder().clearLabel().build();
    ImageEvent labelZero = sampleEvent().toBuilder().setLabel(0).build();

    assertFalse(ImageEvent.parseFrom(unlabelled.toByteArray()).hasLabel());
    assertTrue(ImageEvent.parseFrom(labelZero.toByteArray()).hasLabel());
  }

  @Test
  void everyMessageRoundTrips() throws InvalidProtocolBufferException {
    AttackSpec spec =
        AttackSpec.newBuilder()
            .setType(AttackType.ATTACK_TYPE_SP_QA_MINUS)
            .setEpsilon(0.03f)
            .setSize(5)
            .addTargetIds("c-1")
            .setSeed(42)
            .build();
    AdversarialVariant variant =
        AdversarialVariant.newBuilder()
            .setOriginalEventId("e-1")
            .setSpec(spec)
            .setLinf(0.03f)
            .build();
    RankShift shift =
        RankShift.newBuilder()
            .setSubjectId("q-1")
            .setRankPercentileBefore(50.0)
            .setRankPercentileAfter(2.1)
            .setSuccess(true)
            .build();
    RankingResult ranking =
        RankingResult.newBuilder()
            .setQueryEventId("e-2")
            .addHits(Hit.newBuilder().setItemId("c-1").setDistance(0.125f))
            .setConsistencyScore(0.4f)
            .build();
    AnomalyAlert alert =
        AnomalyAlert.newBuilder()
            .setSubjectKind(SubjectKind.SUBJECT_KIND_ITEM)
            .putEvidence("events", "12")
            .build();
    ModelVersion model =
        ModelVersion.newBuilder()
            .setVersion("v1")
            .setChunkCount(2)
            .setWeights(ByteString.copyFromUtf8("abc"))
            .build();

    assertEquals(spec, AttackSpec.parseFrom(spec.toByteArray()));
    assertEquals(variant, AdversarialVariant.parseFrom(variant.toByteArray()));
    assertEquals(shift, RankShift.parseFrom(shift.toByteArray()));
    assertEquals(ranking, RankingResult.parseFrom(ranking.toByteArray()));
    assertEquals(alert, AnomalyAlert.parseFrom(alert.toByteArray()));
    assertEquals(model, ModelVersion.parseFrom(model.toByteArray()));
  }

  @Test
  void unknownFieldFromNewerWriterSurvivesParseAndReserialise() throws IOException {
    // A newer writer added field 99 (a string) that this reader does not know.
    byte[] newer = appendStringField(sampleEvent().toByteArray(), 99, "from-the-future");

    ImageEvent parsed = ImageEvent.parseFrom(newer);
    ImageEvent reparsed = ImageEvent.parseFrom(parsed.toByteArray());

    assertEquals("c-17", parsed.getItemId());
    assertTrue(reparsed.getUnknownFields().hasField(99));
    assertEquals(
        "from-the-future",
        reparsed.getUnknownFields().getField(99).getLengthDelimitedList().get(0).toStringUtf8());
    assertArrayEquals(newer, parsed.toByteArray());
  }

  @Test
  void unknownEnumValueFromNewerWriterIsKeptAsNumber() throws IOException {
    // A newer writer added attack type 42; old readers see UNRECOGNIZED but keep the number.
    byte[] spec = appendVarintField(new byte[0], AttackSpec.TYPE_FIELD_NUMBER, 42);

    AttackSpec parsed = AttackSpec.parseFrom(spec);

    assertEquals(AttackType.UNRECOGNIZED, parsed.getType());
    assertEquals(42, parsed.getTypeValue());
    assertEquals(42, AttackSpec.parseFrom(parsed.toByteArray()).getTypeValue());
  }

  @Test
  void enumsDefaultToUnspecified() {
    assertEquals(0, AttackType.ATTACK_TYPE_UNSPECIFIED.getNumber());
    assertEquals(0, ImageKind.IMAGE_KIND_UNSPECIFIED.getNumber());
    assertEquals(0, SubjectKind.SUBJECT_KIND_UNSPECIFIED.getNumber());
    assertEquals(ImageKind.IMAGE_KIND_UNSPECIFIED, ImageEvent.getDefaultInstance().getKind());
  }

  private static byte[] appendStringField(byte[] message, int field, String value)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(message);
    CodedOutputStream coded = CodedOutputStream.newInstance(out);
    coded.writeString(field, value);
    coded.flush();
    return out.toByteArray();
  }

  private static byte[] appendVarintField(byte[] message, int field, int value) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(message);
    CodedOutputStream coded = CodedOutputStream.newInstance(out);
    coded.writeInt32(field, value);
    coded.flush();
    return out.toByteArray();
  }
}
