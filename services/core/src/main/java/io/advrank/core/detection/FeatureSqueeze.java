package io.advrank.core.detection;

import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.core.model.ModelSpec;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;

/**
 * The consistency score of an image, higher is more suspicious: feature squeezing carried over to
 * ranking (Xu et al., NDSS 2018) plus an image statistic. Each squeezer gives d(f(x),
 * f(squeeze(x))) = 1 − ⟨f(x), f(squeeze(x))⟩: squeezing removes most of a small adversarial
 * perturbation, so an attacked image's embedding moves far, whereas a clean image's barely moves.
 * The statistics are {@link BackgroundSpeckle}: the share of a flat dark or white background that
 * PGD noise speckles (photos without one are not scored by it), and for RGB photos {@link
 * ChromaNoise}: the share of pixels whose colour differs from their neighbours', which needs no
 * background. The score is the largest of them, each in units of its scale: a clean tail from the
 * version's manifest, else a live one that follows the traffic's clean values but not attacked ones
 * ({@link ScoreWindow}).
 *
 * <p>Squeezers: 4-bit depth reduction ({@value #BITS} bits, 16 grey levels) for every image; 2×2
 * median filter too for catalog photos ({@link #joint(ModelSpec)}). Why 4 bits: on the shipped
 * model ({@code ./advrank bench detect}, seed 0) it separated clean from attacked images best at ε
 * ≤ 0.1 (ROC-AUC 0.99–1.0 for SP-QA± and CA±), where a 2×2 median filter reached 0.65–0.97 and 3
 * bits 0.97–0.99; at ε = 0.3 more of the perturbation survives the rounding, which the speckle
 * statistic catches. 1 bit destroys Fashion-MNIST images (docs/method.md §9). All squeezed copies
 * of a batch are embedded in one call.
 */
public final class FeatureSqueeze {
  static final int BITS = 4;

  /** Recent raw values per score that set its live scale. */
  static final int SCALE_WINDOW = 1024;

  /**
   * The live scale of a score is the value that this share of its clean values exceed: the same
   * kind of scale as a manifest's ({@link CleanCalibration}), so that in its units every score's
   * clean tail ends near 1 and no score's heavy clean tail buries another's attacked values.
   */
  static final double LIVE_TAIL_RATE = 0.005;

  /**
   * Values of each score taken as clean at the start, which fix the shape of its distribution (its
   * 0.5 % tail is then their second largest). Each kind of photo (with a flat background or not)
   * warms its squeezers' scales on its own: with 1024, a catalog of 1800 photos, half of each kind,
   * left both still warming when the attacks came, and they were taken in as clean.
   */
  static final int LIVE_WARM_UP = 512;

  /**
   * The smallest scale of the speckle score: 1% of the background. On photos whose backgrounds are
   * mostly perfectly flat the median is 0, and one speckled pixel must not count as infinitely
   * suspicious.
   */
  static final double MIN_SPECKLE_SCALE = 0.01;

  /** The smallest scale of the colour-noise score, for the same reason: 1% of the pixels. */
  static final double MIN_CHROMA_SCALE = 0.01;

  /**
   * The squeezers' scales, apart for photos with a flat background (index 1) and without (0): a
   * textured photo moves much further under squeezing than a studio shot, clean or not, so in a
   * catalog of both one shared scale would make every textured photo look suspicious and push the
   * calibrated threshold above the attacked studio shots (docs/monitoring.md, detection on RGB
   * photos).
   */
  private final ScoreWindow[] depthScale;

  private final ScoreWindow[] medianScale;
  private final ScoreWindow speckleScale;
  private final ScoreWindow chromaScale;

  /** The version whose embeddings the squeezers' live scales hold; they start over on a swap. */
  private String scaledVersion;

  /**
   * The images scored lately: a popular query asked again, or a catalog photo uploaded again, is
   * judged but does not count again in the scales. Counted as often as it comes, a few repeated
   * clean images at the top of a score's tail became its tail and raised the scale over the
   * attacked values (bench detect on textured photos, which ranks its 400 benign test queries once
   * per experiment: SP-QA± recall 0 at ROC-AUC 0.98).
   */
  private final RecentImages recent = new RecentImages(SCALE_WINDOW);

  private final LongAdder withBackground = new LongAdder();
  private final LongAdder withoutBackground = new LongAdder();

  private final int channels;
  private final int height;
  private final int width;
  private final boolean withMedian;

  /** 4-bit rounding and the speckle statistic, joined by {@link #joint} (used for queries). */
  public static FeatureSqueeze of(ModelSpec spec) {
    return new FeatureSqueeze(spec.channels(), spec.height(), spec.width(), false, SCALE_WINDOW);
  }

  /**
   * 4-bit rounding, a 2×2 median filter and the speckle statistic, joined by {@link #joint} (used
   * for catalog photos). The median filter raised CA recall at ε 0.3 from 0.35/0.43 to 0.50/0.90
   * for CA+/CA- before the speckle statistic existed (bench detect, seed 0).
   */
  public static FeatureSqueeze joint(ModelSpec spec) {
    return joint(spec, SCALE_WINDOW);
  }

  /** As {@link #joint(ModelSpec)}, keeping the last {@code window} raw values of each score. */
  static FeatureSqueeze joint(ModelSpec spec, int window) {
    return new FeatureSqueeze(spec.channels(), spec.height(), spec.width(), true, window);
  }

  FeatureSqueeze(int channels, int height, int width) {
    this(channels, height, width, false, SCALE_WINDOW);
  }

  private FeatureSqueeze(int channels, int height, int width, boolean withMedian, int window) {
    if (channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException(
          "image shape must be positive, got %dx%dx%d".formatted(channels, height, width));
    }
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.withMedian = withMedian;
    this.depthScale = new ScoreWindow[] {new ScoreWindow(window), new ScoreWindow(window)};
    this.medianScale = new ScoreWindow[] {new ScoreWindow(window), new ScoreWindow(window)};
    this.speckleScale = new ScoreWindow(window);
    this.chromaScale = new ScoreWindow(window);
  }

  /** Embeddings of a batch of images with their consistency scores, from one forward call. */
  public record Scored(Embeddings embeddings, float[] scores) {}

  /**
   * The consistency score of each of {@code count} images, given their embeddings (computed by the
   * caller for ranking anyway): one extra embed call for all squeezed copies of the batch.
   */
  public float[] scores(EmbeddingModel model, float[] pixels, int count, Embeddings embedded) {
    follow(model.version());
    float[] squeezed = squeezedCopies(pixels, count);
    Embeddings copies = model.embed(squeezed, squeezed.length / (channels * height * width));
    return score(pixels, count, embedded, copies, 0, scalesOf(model));
  }

  /** The fixed scales in the model's manifest, or null (running medians). */
  private static ScoreScales scalesOf(EmbeddingModel model) {
    DetectorThresholds d = model.manifest() == null ? null : model.manifest().detection();
    return d == null ? null : d.scales();
  }

  /**
   * Embeds {@code count} images and scores them, the images and all their squeezed copies in one
   * forward call: on small batches (a ranker answering live queries) the fixed cost of a call is
   * about as large as the arithmetic.
   */
  public Scored embedAndScore(EmbeddingModel model, float[] pixels, int count) {
    return embedAndScore(model, pixels, count, scalesOf(model));
  }

  /** As {@link #embedAndScore(EmbeddingModel, float[], int)}, with these scales (null: running). */
  Scored embedAndScore(EmbeddingModel model, float[] pixels, int count, ScoreScales fixed) {
    follow(model.version());
    float[] squeezed = squeezedCopies(pixels, count);
    float[] all = Arrays.copyOf(pixels, pixels.length + squeezed.length);
    System.arraycopy(squeezed, 0, all, pixels.length, squeezed.length);
    Embeddings embedded = model.embed(all, all.length / (channels * height * width));
    Embeddings originals = embedded.rows(IntStream.range(0, count).toArray());
    return new Scored(originals, score(pixels, count, originals, embedded, count, fixed));
  }

  /**
   * Starts the squeezers' live scales over when another version embeds: their scores are distances
   * between that version's embeddings, and a scale that only turns away high values would never
   * follow a version whose clean distances are larger. The image statistics keep theirs.
   */
  synchronized void follow(String version) {
    if (!Objects.equals(version, scaledVersion)) {
      if (scaledVersion != null) {
        recent.clear();
        for (ScoreWindow w : depthScale) {
          w.clear();
        }
        for (ScoreWindow w : medianScale) {
          w.clear();
        }
      }
      scaledVersion = version;
    }
  }

  /** The 4-bit copy of every image, then (photos) the median-filtered copy of every image. */
  private float[] squeezedCopies(float[] pixels, int count) {
    if (pixels.length != count * channels * height * width) {
      throw new IllegalArgumentException(
          "pixels: %d values are not %d images of %dx%dx%d"
              .formatted(pixels.length, count, channels, height, width));
    }
    float[] squeezed = reduceBitDepth(pixels);
    if (withMedian) {
      squeezed = Arrays.copyOf(squeezed, 2 * pixels.length);
      System.arraycopy(medianFilter(pixels, count), 0, squeezed, pixels.length, pixels.length);
    }
    return squeezed;
  }

  /**
   * Scores from the squeezed copies' embeddings, which start at row {@code from} of {@code copies}.
   */
  private float[] score(
      float[] pixels,
      int count,
      Embeddings embedded,
      Embeddings copies,
      int from,
      ScoreScales fixed) {
    float[] byDepth = new float[count];
    float[] byMedian = withMedian ? new float[count] : null;
    for (int i = 0; i < count; i++) {
      byDepth[i] = (float) (1 - dot(embedded.row(i), copies.row(from + i)));
      if (withMedian) {
        byMedian[i] = (float) (1 - dot(embedded.row(i), copies.row(from + count + i)));
      }
    }
    return joint(
        byDepth,
        byMedian,
        BackgroundSpeckle.scores(pixels, count, channels, height, width),
        channels == 3 ? ChromaNoise.scores(pixels, count, channels, height, width) : null,
        fixed,
        firstSightings(pixels, count));
  }

  /** Whether each image is new among the last {@value #SCALE_WINDOW} scored, by its pixels. */
  private synchronized boolean[] firstSightings(float[] pixels, int count) {
    int size = channels * height * width;
    boolean[] fresh = new boolean[count];
    for (int i = 0; i < count; i++) {
      fresh[i] = recent.firstSighting(RecentImages.key(pixels, i * size, size));
    }
    return fresh;
  }

  /** The medians of every value kept, as scales (0 where nothing was seen). */
  synchronized ScoreScales medians() {
    return new ScoreScales(
        orZero(depthScale[1].all.median()),
        orZero(depthScale[0].all.median()),
        orZero(medianScale[1].all.median()),
        orZero(medianScale[0].all.median()),
        orZero(speckleScale.all.median()),
        orZero(chromaScale.all.median()));
  }

  /**
   * Each raw score's own threshold at {@code fpr} over the values kept ({@link Thresholds#upper}),
   * as scales (0 where nothing was seen): in these units every score's benign tail ends near 1,
   * whatever the model (see {@link CleanCalibration}).
   */
  synchronized ScoreScales tails(double fpr) {
    return new ScoreScales(
        orZero(depthScale[1].all.upper(fpr)),
        orZero(depthScale[0].all.upper(fpr)),
        orZero(medianScale[1].all.upper(fpr)),
        orZero(medianScale[0].all.upper(fpr)),
        orZero(speckleScale.all.upper(fpr)),
        orZero(chromaScale.all.upper(fpr)));
  }

  private static double orZero(double median) {
    return Double.isNaN(median) ? 0 : median;
  }

  /**
   * max over scores of the score in units of its clean tail: the median filter moves clean images
   * much further than 4-bit rounding does, and the speckle share is not a distance at all, so raw
   * values cannot share one threshold. Until a live scale has {@link #LIVE_WARM_UP} values its
   * traffic is taken to be clean, as the monitor's live calibration takes it.
   *
   * @param byMedian null when the median filter is not used
   * @param fixed scales measured on clean data, used instead of the live scales where known; null
   *     for none
   */
  float[] joint(float[] byDepth, float[] byMedian, float[] bySpeckle, ScoreScales fixed) {
    return joint(byDepth, byMedian, bySpeckle, null, fixed);
  }

  /** As {@link #joint(float[], float[], float[], float[], ScoreScales, boolean[])}, all new. */
  float[] joint(
      float[] byDepth, float[] byMedian, float[] bySpeckle, float[] byChroma, ScoreScales fixed) {
    return joint(byDepth, byMedian, bySpeckle, byChroma, fixed, null);
  }

  /**
   * As {@link #joint(float[], float[], float[], ScoreScales)}, with the colour-noise statistic.
   *
   * @param byChroma null for images that are not RGB
   * @param fresh which images were not seen lately ({@link RecentImages}); only those move the
   *     scales. Null: all of them
   */
  synchronized float[] joint(
      float[] byDepth,
      float[] byMedian,
      float[] bySpeckle,
      float[] byChroma,
      ScoreScales fixed,
      boolean[] fresh) {
    int n = byDepth.length;
    int[] kind = new int[n];
    for (int i = 0; i < n; i++) {
      boolean flat = !Float.isNaN(bySpeckle[i]);
      kind[i] = flat ? 1 : 0;
      (flat ? withBackground : withoutBackground).increment();
      if (fresh != null && !fresh[i]) {
        continue;
      }
      if (byChroma != null) {
        chromaScale.add(byChroma[i]);
      }
      if (flat) {
        speckleScale.add(bySpeckle[i]);
      }
      depthScale[kind[i]].add(byDepth[i]);
      if (byMedian != null) {
        medianScale[kind[i]].add(byMedian[i]);
      }
    }
    double s =
        Math.max(
            fixed != null && fixed.speckle() > 0 ? fixed.speckle() : speckleScale.live(),
            MIN_SPECKLE_SCALE);
    double c =
        Math.max(
            fixed != null && fixed.chroma() > 0 ? fixed.chroma() : chromaScale.live(),
            MIN_CHROMA_SCALE);
    float[] scores = new float[n];
    for (int i = 0; i < n; i++) {
      boolean flat = kind[i] == 1;
      double d = Math.max(scale(fixed, flat ? 0 : 1, depthScale[kind[i]]), 1e-9);
      // No flat background: the speckle statistic says nothing, the squeezers decide alone.
      double speckle = kind[i] == 0 ? 0 : bySpeckle[i] / s;
      double score = Math.max(byDepth[i] / d, speckle);
      if (byChroma != null) {
        score = Math.max(score, byChroma[i] / c);
      }
      if (byMedian != null) {
        score =
            Math.max(
                score,
                byMedian[i] / Math.max(scale(fixed, flat ? 2 : 3, medianScale[kind[i]]), 1e-9));
      }
      scores[i] = (float) score;
    }
    return scores;
  }

  /**
   * Fixed scale {@code which} (ScoreScales' components in order) where known, else the running one.
   */
  private static double scale(ScoreScales fixed, int which, ScoreWindow running) {
    if (fixed != null) {
      double v =
          switch (which) {
            case 0 -> fixed.depthFlat();
            case 1 -> fixed.depthNone();
            case 2 -> fixed.medianFlat();
            default -> fixed.medianNone();
          };
      if (v > 0) {
        return v;
      }
    }
    return running.live();
  }

  /**
   * Images scored so far with a flat dark or white background, which the speckle statistic covers
   * ({@code true}), or without one ({@code false}): on photos with textured or mid-tone backgrounds
   * detection rests on the squeezers alone, and the ranker's metrics say how often.
   */
  public long scored(boolean withFlatBackground) {
    return (withFlatBackground ? withBackground : withoutBackground).sum();
  }

  /**
   * 2×2 median filter of every image, the window anchored at the pixel and clamped at the lower and
   * right borders; the median of four values is the mean of the middle two.
   */
  float[] medianFilter(float[] pixels, int count) {
    int plane = height * width;
    float[] out = new float[pixels.length];
    float[] window = new float[4];
    for (int p = 0; p < count * channels; p++) {
      int base = p * plane;
      for (int r = 0; r < height; r++) {
        int r2 = Math.min(r + 1, height - 1);
        for (int c = 0; c < width; c++) {
          int c2 = Math.min(c + 1, width - 1);
          window[0] = pixels[base + r * width + c];
          window[1] = pixels[base + r * width + c2];
          window[2] = pixels[base + r2 * width + c];
          window[3] = pixels[base + r2 * width + c2];
          out[base + r * width + c] = middleMean(window);
        }
      }
    }
    return out;
  }

  private static float middleMean(float[] w) {
    float lo = Math.min(Math.min(w[0], w[1]), Math.min(w[2], w[3]));
    float hi = Math.max(Math.max(w[0], w[1]), Math.max(w[2], w[3]));
    return (w[0] + w[1] + w[2] + w[3] - lo - hi) / 2;
  }

  /**
   * One score's recent values: all of them (what calibration reads: {@link #medians}, {@link
   * #tails}) and those admitted to its live scale. The first {@value #LIVE_WARM_UP} are taken as
   * clean, as the monitor's live calibration takes its first events, and fix the shape of the clean
   * distribution: its {@value #LIVE_TAIL_RATE} upper tail in medians (15 for the 4-bit squeezer on
   * textured photos, 3.4 for their colour noise). From then on the live scale is that many running
   * medians, and a value above it is judged but not admitted. The scale follows the level of the
   * traffic (the median moves with a slow drift of clean scores) but not attacked images, whatever
   * their share: those above the tail never enter, and those below can move the median only by
   * being most of the traffic. A tail estimated from the admitted values instead was raised by weak
   * attacks just above it (admitted up to 1.2 tails, at 4 % of the traffic they became the tail),
   * step by step as ε grew (bench detect on textured photos: SP-QA± recall 0).
   */
  static final class ScoreWindow {
    final RunningMedian all;
    private final RunningMedian admitted;
    private int warmed;
    private double warmTail = Double.NaN;
    private double tailInMedians = Double.NaN;

    ScoreWindow(int capacity) {
      this.all = new RunningMedian(capacity);
      this.admitted = new RunningMedian(capacity);
    }

    void add(float v) {
      all.add(v);
      if (warmed < LIVE_WARM_UP) {
        admitted.add(v);
        if (++warmed == LIVE_WARM_UP) {
          warmTail = admitted.upper(LIVE_TAIL_RATE);
          double median = admitted.median();
          // A clean median of 0 (spotless backgrounds) gives no shape: the warm-up's tail stays.
          tailInMedians = median > 0 ? warmTail / median : Double.NaN;
        }
      } else if (!(v > live())) {
        admitted.add(v);
      }
    }

    /**
     * The live scale: during the warm-up the upper {@value #LIVE_TAIL_RATE} tail of the values
     * seen, then the warm-up's tail in medians times the admitted values' median; NaN if none.
     */
    double live() {
      if (warmed < LIVE_WARM_UP) {
        return admitted.upper(LIVE_TAIL_RATE);
      }
      return Double.isNaN(tailInMedians) ? warmTail : tailInMedians * admitted.median();
    }

    void clear() {
      all.clear();
      admitted.clear();
      warmed = 0;
      warmTail = Double.NaN;
      tailInMedians = Double.NaN;
    }
  }

  /**
   * The median of the last {@code capacity} values. The window is kept in arrival order (to know
   * which value leaves) and sorted (for the median); a new value costs two binary searches and two
   * array moves, a median costs nothing. The ranker asks for a median on every batch; copying and
   * sorting the whole window each time stood out in JFR profiles of its query thread.
   */
  static final class RunningMedian {
    private final float[] ring;
    private final float[] sorted;
    private int size;
    private int next;

    RunningMedian(int capacity) {
      this.ring = new float[capacity];
      this.sorted = new float[capacity];
    }

    void addAll(float[] values) {
      for (float v : values) {
        add(v);
      }
    }

    void add(float v) {
      if (size == ring.length) {
        int out = position(ring[next]);
        System.arraycopy(sorted, out + 1, sorted, out, size - out - 1);
        size--;
      }
      ring[next] = v;
      next = (next + 1) % ring.length;
      int in = position(v);
      System.arraycopy(sorted, in, sorted, in + 1, size - in);
      sorted[in] = v;
      size++;
    }

    /** Index of {@code v} in the sorted window if present, else where it would go. */
    private int position(float v) {
      int i = Arrays.binarySearch(sorted, 0, size, v);
      return i >= 0 ? i : -i - 1;
    }

    double median() {
      if (size == 0) {
        return Double.NaN;
      }
      return size % 2 == 1
          ? sorted[size / 2]
          : (sorted[size / 2 - 1] + (double) sorted[size / 2]) / 2;
    }

    int size() {
      return size;
    }

    void clear() {
      size = 0;
      next = 0;
    }

    /**
     * {@link Thresholds#upper} of the values kept at {@code fpr}, read off the sorted window (the
     * ranker asks on every batch); NaN when there are none.
     */
    double upper(double fpr) {
      return size == 0 ? Double.NaN : sorted[Thresholds.upperRank(size, fpr) - 1];
    }
  }

  /** Every value rounded to the nearest of 2^{@value #BITS} evenly spaced levels in [0, 1]. */
  static float[] reduceBitDepth(float[] pixels) {
    float levels = (1 << BITS) - 1;
    float[] out = new float[pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      out[i] = Math.round(Math.min(1f, Math.max(0f, pixels[i])) * levels) / levels;
    }
    return out;
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }
}
