package io.advrank.cli;

import ai.djl.Device;
import io.advrank.runtime.settings.SettingsException;
import io.advrank.serving.DeviceChoice;
import picocli.CommandLine.Option;

/** {@code --device auto|cpu|gpu|gpu:N}: where the model runs. */
public final class DeviceOption {
  @Option(
      names = "--device",
      defaultValue = "auto",
      description =
          "auto (GPU 0 when libtorch sees one, else the CPU), cpu, gpu or gpu:N. A GPU needs a"
              + " CUDA libtorch 2.7.1 (see the README) (default: ${DEFAULT-VALUE}).")
  String device;

  public Device resolve() {
    try {
      return DeviceChoice.parse(device).resolve();
    } catch (SettingsException e) {
      throw new IllegalArgumentException(
          "--device: bad value '" + device + "' (accepted: auto, cpu, gpu, gpu:N)");
    }
  }
}
