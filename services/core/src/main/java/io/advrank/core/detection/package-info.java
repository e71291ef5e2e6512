/**
 * Detection of adversarial images without labels: {@link io.advrank.core.detection.FeatureSqueeze}
 * scores how far an image's embedding moves when the image is squeezed (4-bit depth, a 2×2 median
 * filter), {@code BackgroundSpeckle} counts speckle on flat backgrounds, and {@link
 * io.advrank.core.detection.CleanCalibration} turns the scores of clean images into the {@link
 * io.advrank.core.detection.DetectorThresholds} that a model version carries in its manifest.
 */
package io.advrank.core.detection;
