package io.advrank.runtime.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TempDirectoryTest {

  @Test
  void closeDeletesTheDirectoryWithEverythingInIt() throws Exception {
    TempDirectory temp = TempDirectory.create("advrank-temp-test");
    Path dir = temp.path();
    Files.createDirectories(dir.resolve("a/b"));
    Files.writeString(dir.resolve("a/b/data.log"), "x");
    Files.writeString(dir.resolve("top"), "y");

    temp.close();
    temp.close(); // idempotent

    assertFalse(Files.exists(dir));
  }

  @Test
  void deletesLinksWithoutFollowingThem(@TempDir Path outside) throws Exception {
    Path kept = Files.writeString(outside.resolve("kept"), "user's file");
    TempDirectory temp = TempDirectory.create("advrank-temp-test");
    Files.createSymbolicLink(temp.path().resolve("link"), outside);

    temp.close();

    assertFalse(Files.exists(temp.path()));
    assertTrue(Files.exists(kept), "the link's target stays");
  }

  @Test
  void deletingWhatIsGoneIsNoError(@TempDir Path parent) throws Exception {
    TempDirectory.deleteRecursively(parent.resolve("never-made"));
  }

  @Test
  void aShutdownDeletesItAfterTheServicesRegisteredLater() throws Exception {
    List<String> order = new ArrayList<>();
    Shutdown shutdown = new Shutdown(hook -> {});
    TempDirectory temp = shutdown.register(TempDirectory.create("advrank-temp-test"));
    shutdown.register(
        () ->
            order.add(
                "service closed, directory " + (Files.exists(temp.path()) ? "there" : "gone")));

    shutdown.close();

    assertEquals(List.of("service closed, directory there"), order);
    assertFalse(Files.exists(temp.path()));
  }
}
