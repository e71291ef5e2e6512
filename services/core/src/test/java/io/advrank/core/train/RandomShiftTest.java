package io.advrank.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RandomShiftTest {
  private static final int H = 7;
  private static final int W = 9;

  /** One image, one channel, a single lit pixel at (y, x). */
  private static float[] dot(int y, int x) {
    float[] p = new float[H * W];
    p[y * W + x] = 1f;
    return p;
  }

  private static int[] litAt(float[] plane) {
    int[] at = null;
    for (int i = 0; i < plane.length; i++) {
      if (plane[i] != 0f) {
        assertTrue(at == null, "one lit pixel");
        assertEquals(1f, plane[i]);
        at = new int[] {i / W, i % W};
      }
    }
    return at;
  }

  @Test
  void aPixelMovesByEveryOffsetUpToTheShiftAndNoFurther() {
    RandomShift shift = new RandomShift(2, 11);
    Set<String> offsets = new HashSet<>();
    for (int draw = 0; draw < 2000; draw++) {
      float[] p = dot(3, 4);
      shift.apply(p, 1, H, W);
      int[] at = litAt(p);
      int dy = at[0] - 3;
      int dx = at[1] - 4;
      assertTrue(Math.abs(dy) <= 2 && Math.abs(dx) <= 2, "moved by " + dy + "," + dx);
      offsets.add(dy + "," + dx);
    }
    assertEquals(25, offsets.size(), "every (dy, dx) in [-2, 2]^2 drawn");
  }

  @Test
  void whatMovesInIsBackgroundAndWhatMovesOutIsGone() {
    RandomShift shift = new RandomShift(3, 5);
    for (int draw = 0; draw < 200; draw++) {
      float[] ones = new float[H * W];
      Arrays.fill(ones, 1f);
      shift.apply(ones, 1, H, W);
      int lit = 0;
      for (float v : ones) {
        assertTrue(v == 0f || v == 1f);
        lit += (int) v;
      }
      // A move by (dy, dx) keeps an (H - |dy|) x (W - |dx|) block.
      boolean fits = false;
      for (int dy = 0; dy <= 3; dy++) {
        for (int dx = 0; dx <= 3; dx++) {
          fits |= lit == (H - dy) * (W - dx);
        }
      }
      assertTrue(fits, lit + " lit pixels");
    }
  }

  @Test
  void channelsOfOneImageMoveTogetherAndImagesIndependently() {
    RandomShift shift = new RandomShift(2, 3);
    boolean differed = false;
    for (int draw = 0; draw < 50; draw++) {
      // Two images of two channels, each channel the same dot.
      float[] p = new float[4 * H * W];
      for (int plane = 0; plane < 4; plane++) {
        p[plane * H * W + 3 * W + 4] = 1f;
      }
      shift.apply(p, 2, H, W);
      int[][] at = new int[4][];
      for (int plane = 0; plane < 4; plane++) {
        float[] one = new float[H * W];
        System.arraycopy(p, plane * H * W, one, 0, H * W);
        at[plane] = litAt(one);
      }
      assertArrayEquals(at[0], at[1], "one image's channels");
      assertArrayEquals(at[2], at[3], "one image's channels");
      differed |= at[0][0] != at[2][0] || at[0][1] != at[2][1];
    }
    assertTrue(differed, "two images of a batch draw their own moves");
  }

  @Test
  void theSameSeedDrawsTheSameMovesAndZeroLeavesImagesAlone() {
    float[] a = dot(2, 2);
    float[] b = dot(2, 2);
    new RandomShift(2, 9).apply(a, 1, H, W);
    new RandomShift(2, 9).apply(b, 1, H, W);
    assertArrayEquals(a, b);
    float[] c = dot(2, 2);
    new RandomShift(0, 9).apply(c, 1, H, W);
    assertArrayEquals(dot(2, 2), c);
  }

  @Test
  void badShiftsAndPartialImagesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new RandomShift(-1, 0));
    RandomShift tooFar = new RandomShift(H, 0);
    assertThrows(IllegalArgumentException.class, () -> tooFar.apply(new float[H * W], 1, H, W));
    RandomShift ok = new RandomShift(1, 0);
    assertThrows(IllegalArgumentException.class, () -> ok.apply(new float[H * W + 1], 1, H, W));
  }
}
