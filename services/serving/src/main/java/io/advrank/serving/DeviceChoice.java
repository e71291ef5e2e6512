package io.advrank.serving;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.advrank.runtime.settings.Setting;
import io.advrank.runtime.settings.SettingsException;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * The {@code device} setting: {@code auto}, {@code cpu}, {@code gpu} (GPU 0) or {@code gpu:N}.
 * {@code auto} takes GPU 0 when the engine sees one and the CPU otherwise.
 *
 * <p>Only the CPU build of libtorch ({@code pytorch-native-cpu}) is on the classpath, so on this
 * build every GPU choice fails at model load. To run on a GPU, provide a CUDA libtorch: point
 * {@code PYTORCH_LIBRARY_PATH} at an unpacked CUDA libtorch of the same version (2.7.1) and set
 * {@code PYTORCH_FLAVOR} (e.g. {@code cu128}), or let DJL download its CUDA flavour where the
 * network allows ({@code DJL_OFFLINE=false}, no {@code pytorch-native-cpu} on the classpath).
 * Proven on an H200 with services/bench's DeviceCheck ({@code deploy/gpu/}); the services' own GPU
 * runs are not tested yet.
 *
 * @param gpu false for the CPU
 * @param index the GPU index; -1 for the CPU or {@code auto}
 * @param auto whether the choice is left to {@link #resolve}
 */
public record DeviceChoice(boolean gpu, int index, boolean auto) {

  /** The {@code device} setting of a service that runs the model: {@code auto} by default. */
  public static Setting<DeviceChoice> setting(String doc) {
    return Setting.parsed(
        "device", "auto", (key, text) -> parse(text), "must be auto, cpu, gpu or gpu:N", doc);
  }

  /** Parses the setting's text; the message names the bad value and what is accepted. */
  public static DeviceChoice parse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    if (s.equals("auto")) {
      return new DeviceChoice(false, -1, true);
    }
    if (s.equals("cpu")) {
      return new DeviceChoice(false, -1, false);
    }
    if (s.equals("gpu")) {
      return new DeviceChoice(true, 0, false);
    }
    if (s.matches("gpu:\\d{1,3}")) {
      return new DeviceChoice(true, Integer.parseInt(s.substring(4)), false);
    }
    throw new SettingsException(
        "setting 'device' has bad value '" + text + "': expected auto, cpu, gpu or gpu:N");
  }

  /** The DJL device, asking the engine how many GPUs it sees only for {@code auto}. */
  public Device resolve() {
    return resolve(() -> Engine.getInstance().getGpuCount());
  }

  /** As {@link #resolve()}, with the GPU count injected (tests). */
  Device resolve(IntSupplier gpuCount) {
    if (auto) {
      return gpuCount.getAsInt() > 0 ? Device.gpu(0) : Device.cpu();
    }
    return gpu ? Device.gpu(index) : Device.cpu();
  }

  @Override
  public String toString() {
    return auto ? "auto" : gpu ? "gpu:" + index : "cpu";
  }
}
