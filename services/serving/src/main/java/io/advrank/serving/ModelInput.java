package io.advrank.serving;

import io.advrank.core.data.PhotoException;
import io.advrank.core.data.PhotoFiles;
import io.advrank.core.model.ModelSpec;
import io.advrank.proto.v1.EncodedPhoto;
import io.advrank.proto.v1.PhotoFormat;
import io.advrank.proto.v1.Pixels;
import io.advrank.runtime.kafka.DeadLetters.Reason;
import io.advrank.runtime.wire.ImageEventChecks;
import io.advrank.runtime.wire.RejectedRecordException;

/**
 * The pixels of an inbound image at the served model's input, whichever form the sender chose: a
 * tensor of exactly the model's shape ({@code uint8} or {@code float32_le}, checked by {@link
 * ImageEventChecks#pixels}), or a PNG/JPEG file of any size, decoded under {@link
 * PhotoFiles#MAX_PIXELS} and fitted as image folders are read (resize + centre crop, grey expanded
 * to RGB). The ranker, the attack-worker and the defense-trainer all read images through here, so a
 * photo gives them the same pixels.
 *
 * <p>Refusals, as dead-letter reasons: a format other than PNG or JPEG, or a model that takes
 * neither 1 nor 3 channels, is {@code unsupported}; bytes that are not the declared format, do not
 * decode, or claim more pixels than the cap are {@code invalid}.
 */
public final class ModelInput {
  private ModelInput() {}

  /** The image as the model's input, values in [0, 1], row-major (channel, row, column). */
  public static float[] pixels(Pixels pixels, ModelSpec spec) throws RejectedRecordException {
    if (pixels.getDataCase() != Pixels.DataCase.ENCODED) {
      return ImageEventChecks.pixels(
          pixels, spec.channels(), spec.height(), spec.width(), spec.describe());
    }
    if (spec.channels() != 1 && spec.channels() != 3) {
      throw new RejectedRecordException(
          Reason.UNSUPPORTED,
          "a photo file for a model of " + spec.describe() + ": photos give 1 or 3 channels",
          null);
    }
    byte[] data = pixels.getEncoded().getData().toByteArray();
    checkDeclaredFormat(pixels.getEncoded(), data);
    byte[] fitted;
    try {
      fitted = PhotoFiles.fit(data, spec.channels(), spec.height(), spec.width());
    } catch (PhotoException e) {
      Reason reason =
          e.problem() == PhotoException.Problem.UNSUPPORTED_FORMAT
              ? Reason.UNSUPPORTED
              : Reason.INVALID;
      throw new RejectedRecordException(reason, "photo: " + e.getMessage(), e);
    }
    float[] out = new float[fitted.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (fitted[i] & 0xFF) / 255f;
    }
    return out;
  }

  /** A declared format must be known and match the bytes; UNSPECIFIED lets the bytes decide. */
  private static void checkDeclaredFormat(EncodedPhoto photo, byte[] data)
      throws RejectedRecordException {
    PhotoFormat declared = photo.getFormat();
    if (declared == PhotoFormat.PHOTO_FORMAT_UNSPECIFIED) {
      return;
    }
    if (declared == PhotoFormat.UNRECOGNIZED) {
      throw new RejectedRecordException(
          Reason.UNSUPPORTED,
          "photo format number " + photo.getFormatValue() + " is not supported (PNG, JPEG)",
          null);
    }
    String expected = declared == PhotoFormat.PHOTO_FORMAT_PNG ? "PNG" : "JPEG";
    String actual = PhotoFiles.sniff(data).map(Enum::name).orElse("neither PNG nor JPEG");
    if (!actual.equals(expected)) {
      throw new RejectedRecordException(
          Reason.INVALID, "photo declared " + expected + " but its bytes are " + actual, null);
    }
  }
}
