package io.advrank.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.advrank.runtime.settings.SettingsException;
import org.junit.jupiter.api.Test;

class DeviceChoiceTest {

  @Test
  void parsesEveryForm() {
    assertEquals(Device.cpu(), DeviceChoice.parse("cpu").resolve(() -> 4));
    assertEquals(Device.gpu(0), DeviceChoice.parse("GPU").resolve(() -> 0));
    assertEquals(Device.gpu(2), DeviceChoice.parse("gpu:2").resolve(() -> 0));
    assertEquals("gpu:2", DeviceChoice.parse("gpu:2").toString());
  }

  @Test
  void autoTakesTheGpuOnlyWhenTheEngineSeesOne() {
    assertEquals(Device.gpu(0), DeviceChoice.parse("auto").resolve(() -> 1));
    assertEquals(Device.cpu(), DeviceChoice.parse("auto").resolve(() -> 0));
  }

  @Test
  void rejectsOtherValuesNamingThem() {
    for (String bad : new String[] {"tpu", "gpu:", "gpu:x", "gpu:-1", ""}) {
      SettingsException e = assertThrows(SettingsException.class, () -> DeviceChoice.parse(bad));
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
  }
}
