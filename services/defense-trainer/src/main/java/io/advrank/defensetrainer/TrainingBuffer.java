package io.advrank.defensetrainer;

import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.ModelSpec;
import io.advrank.core.train.Triplets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * What the trainer learns from and is judged on. Labelled catalog images are split by item id: a
 * quarter (by a hash of the id, so every restart splits alike) go to the held-out set until it is
 * full, the rest into a rolling buffer of the newest {@code capacity} images. Adversarial variants
 * of catalog items join the buffer with their item's label (never those of held-out items). The
 * held-out set is frozen at the first evaluation, so parent and candidate are always judged on the
 * same images. Confined to the trainer thread.
 */
final class TrainingBuffer {
  /** One labelled image. */
  record Sample(float[] pixels, int label) {}

  /** A batch of {@code (a0, p0, a1, p1, …)} pairs and its in-batch triplets for a step. */
  record Batch(float[] pixels, Triplets triplets) {}

  private static final int MAX_LABELS = 100_000;

  private final int capacity;
  private final int heldOutCapacity;
  private final ModelSpec spec;
  private final int imageSize;
  private final Sample[] ring;
  private int next;
  private int size;
  private final List<Sample> heldOut = new ArrayList<>();
  private final Set<String> heldOutIds = new HashSet<>();
  private boolean frozen;
  private long variants;
  private final Map<String, Integer> labelOf =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
          return size() > MAX_LABELS;
        }
      };

  TrainingBuffer(int capacity, int heldOutCapacity, ModelSpec spec) {
    this.capacity = capacity;
    this.heldOutCapacity = heldOutCapacity;
    this.spec = spec;
    this.imageSize = spec.imageSize();
    this.ring = new Sample[capacity];
  }

  /** A labelled catalog image: held out or trained on, by its item id. */
  void addCatalog(String itemId, float[] pixels, int label) {
    labelOf.put(itemId, label);
    if (heldOutIds.contains(itemId)) {
      return; // a re-upload of a held-out item stays out of training
    }
    if (!frozen && heldOut.size() < heldOutCapacity && Math.floorMod(itemId.hashCode(), 4) == 0) {
      heldOut.add(new Sample(pixels, label));
      heldOutIds.add(itemId);
      return;
    }
    push(new Sample(pixels, label));
  }

  /** An adversarial variant of {@code itemId}; false if its label is unknown or it is held out. */
  boolean addVariant(String itemId, float[] pixels) {
    Integer label = labelOf.get(itemId);
    if (label == null || heldOutIds.contains(itemId)) {
      return false;
    }
    push(new Sample(pixels, label));
    variants++;
    return true;
  }

  int size() {
    return size;
  }

  int heldOutSize() {
    return heldOut.size();
  }

  long variants() {
    return variants;
  }

  /** Whether a batch of {@code n} images with at least two classes can be drawn. */
  boolean canSample(int n) {
    if (size < n) {
      return false;
    }
    Map<Integer, Integer> counts = new HashMap<>();
    for (int i = 0; i < size; i++) {
      counts.merge(ring[i].label(), 1, Integer::sum);
    }
    return counts.values().stream().filter(c -> c >= 2).count() >= 2;
  }

  /**
   * {@code n / 2} same-label pairs drawn at random; each image's positive is its partner and its
   * negative a random batch member of another label (itself if none, a constant term).
   */
  Batch sample(int n, Random random) {
    Map<Integer, List<Integer>> byLabel = new HashMap<>();
    for (int i = 0; i < size; i++) {
      byLabel.computeIfAbsent(ring[i].label(), l -> new ArrayList<>()).add(i);
    }
    List<List<Integer>> pairable =
        byLabel.values().stream().filter(members -> members.size() >= 2).toList();
    float[] pixels = new float[n * imageSize];
    int[] labels = new int[n];
    for (int k = 0; k < n / 2; k++) {
      List<Integer> members = pairable.get(random.nextInt(pairable.size()));
      int a = members.get(random.nextInt(members.size()));
      int p = a;
      while (p == a) {
        p = members.get(random.nextInt(members.size()));
      }
      copy(ring[a], pixels, labels, 2 * k);
      copy(ring[p], pixels, labels, 2 * k + 1);
    }
    return new Batch(pixels, Triplets.randomNegatives(labels, random));
  }

  /** The held-out set as a data set, frozen from now on (8-bit pixels, as the catalog sends). */
  ImageDataset freezeHeldOut() {
    frozen = true;
    byte[] bytes = new byte[heldOut.size() * imageSize];
    int[] labels = new int[heldOut.size()];
    for (int i = 0; i < heldOut.size(); i++) {
      float[] p = heldOut.get(i).pixels();
      for (int j = 0; j < imageSize; j++) {
        bytes[i * imageSize + j] = (byte) Math.round(Math.max(0f, Math.min(1f, p[j])) * 255f);
      }
      labels[i] = heldOut.get(i).label();
    }
    return ImageDataset.of("held-out", bytes, labels, spec.channels(), spec.height(), spec.width());
  }

  private void push(Sample s) {
    ring[next] = s;
    next = (next + 1) % capacity;
    size = Math.min(size + 1, capacity);
  }

  private void copy(Sample s, float[] pixels, int[] labels, int row) {
    System.arraycopy(s.pixels(), 0, pixels, row * imageSize, imageSize);
    labels[row] = s.label();
  }
}
