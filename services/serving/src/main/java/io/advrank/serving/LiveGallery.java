package io.advrank.serving;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The snapshot that is served now. The mirror {@link #publish}es a new one atomically; a reader
 * {@link #acquire}s whichever is current and keeps using it for the whole batch even if it is
 * replaced meanwhile.
 */
final class LiveGallery implements AutoCloseable {
  private final AtomicReference<GallerySnapshot> current;

  LiveGallery(GallerySnapshot initial) {
    this.current = new AtomicReference<>(initial);
  }

  /** The current snapshot, with a reference the caller must {@link GallerySnapshot#release()}. */
  GallerySnapshot acquire() {
    while (true) {
      GallerySnapshot s = current.get();
      if (s.tryAcquire()) {
        return s;
      }
      // Replaced and freed between get and acquire: the next get sees the newer one.
    }
  }

  /** The current snapshot without taking a reference (for the thread that publishes). */
  GallerySnapshot peek() {
    return current.get();
  }

  /** Makes {@code next} current and drops the holder's reference to the previous snapshot. */
  void publish(GallerySnapshot next) {
    current.getAndSet(next).release();
  }

  /** The model version of the current snapshot: the one served now. */
  String modelVersion() {
    return current.get().modelVersion();
  }

  /** Items in the current snapshot. */
  int size() {
    return current.get().size();
  }

  @Override
  public void close() {
    current.get().release();
  }
}
