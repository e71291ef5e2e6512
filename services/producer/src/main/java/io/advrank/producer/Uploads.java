package io.advrank.producer;

import io.advrank.core.data.DataException;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.data.ImageFolderReader;
import io.advrank.core.data.PhotoFiles;
import io.advrank.proto.v1.PhotoFormat;
import io.advrank.proto.v1.Pixels;
import io.advrank.runtime.wire.PixelCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The images the producer sends, by index: each one's label and the {@link Pixels} it is uploaded
 * as ({@link ImageEncoding}). Photo files are read when sent, so a folder of large photos is never
 * held in memory and a file that does not decode still reaches the services, which dead-letter it.
 */
interface Uploads {
  /** Number of images. */
  int size();

  /** The class label of image {@code index}. */
  int label(int index);

  /**
   * Image {@code index} as it goes on the wire.
   *
   * @throws IOException if its file cannot be read
   */
  Pixels pixels(int index) throws IOException;

  /** What image {@code index} is, for a log line: its file, or its place in the data set. */
  String describe(int index);

  /** Images to send and how logs name them. */
  record Loaded(Uploads uploads, String name) {}

  /**
   * The test split as {@link ProducerSettings#imageEncoding()} asks: a photo folder's files as they
   * are ({@code source}; listed, not decoded), else the images decoded at {@code image.shape}.
   *
   * @throws DataException if the data cannot be listed or read
   */
  static Loaded load(ProducerSettings settings) throws DataException {
    DatasetDirectory.Split split = DatasetDirectory.Split.TEST;
    Optional<Path> photos =
        settings.imageEncoding() == ImageEncoding.SOURCE
            ? DatasetDirectory.photoFolder(settings.dataDir(), split)
            : Optional.empty();
    if (photos.isPresent()) {
      return new Loaded(
          of(ImageFolderReader.list(photos.get())), photos.get() + " (files as they are)");
    }
    ImageShape shape = settings.imageShape();
    ImageDataset test =
        DatasetDirectory.load(
            settings.dataDir(), split, shape.channels(), shape.height(), shape.width());
    ImageEncoding encoding =
        settings.imageEncoding() == ImageEncoding.PNG ? ImageEncoding.PNG : ImageEncoding.RAW;
    return new Loaded(of(test, encoding), test.name());
  }

  /** A decoded data set's images, as 8-bit pixels or PNG files of those pixels. */
  static Uploads of(ImageDataset data, ImageEncoding encoding) {
    boolean png = encoding == ImageEncoding.PNG;
    return new Uploads() {
      @Override
      public int size() {
        return data.size();
      }

      @Override
      public int label(int index) {
        return data.label(index);
      }

      @Override
      public Pixels pixels(int index) {
        byte[] planes = uint8(data, index);
        int c = data.channels();
        int h = data.height();
        int w = data.width();
        if (!png) {
          return PixelCodec.fromUint8(c, h, w, planes);
        }
        return PixelCodec.encoded(PhotoFormat.PHOTO_FORMAT_PNG, PhotoFiles.png(planes, c, h, w))
            .toBuilder()
            .setChannels(c)
            .setHeight(h)
            .setWidth(w)
            .build();
      }

      @Override
      public String describe(int index) {
        return "image " + index + " of " + data.name();
      }
    };
  }

  /** A photo folder's files, sent byte for byte; the format declared from their first bytes. */
  static Uploads of(List<ImageFolderReader.Entry> files) {
    return new Uploads() {
      @Override
      public int size() {
        return files.size();
      }

      @Override
      public int label(int index) {
        return files.get(index).label();
      }

      @Override
      public Pixels pixels(int index) throws IOException {
        byte[] file = Files.readAllBytes(files.get(index).file());
        // A file that is neither format goes out undeclared: the services name the problem.
        PhotoFormat format =
            PhotoFiles.sniff(file)
                .map(
                    f ->
                        f == PhotoFiles.Format.PNG
                            ? PhotoFormat.PHOTO_FORMAT_PNG
                            : PhotoFormat.PHOTO_FORMAT_JPEG)
                .orElse(PhotoFormat.PHOTO_FORMAT_UNSPECIFIED);
        return PixelCodec.encoded(format, file);
      }

      @Override
      public String describe(int index) {
        return files.get(index).file().toString();
      }
    };
  }

  /** The image's original bytes: the data set stores v = b / 255, which rounds back exactly. */
  private static byte[] uint8(ImageDataset data, int index) {
    float[] values = data.image(index);
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) Math.round(values[i] * 255f);
    }
    return out;
  }
}
