package io.advrank.defensetrainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.runtime.model.AssembledModel;
import io.advrank.runtime.model.ModelUpdate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Served versions seen → rebase or not, with the models standing in as their names. */
class VersionFollowerTest {
  private final List<String> closed = new ArrayList<>();
  private final VersionFollower<String> follower = new VersionFollower<>(closed::add);

  private static ModelUpdate update(String version, boolean rollback) {
    return new ModelUpdate(AssembledModel.of(version, "", "{}", 0, new byte[0]), rollback, 0, true);
  }

  @Test
  void rebasesOnAnotherVersionButNotOnItsOwnParentComingBack() {
    assertTrue(VersionFollower.rebases("v1", update("v2", false)));
    assertTrue(VersionFollower.rebases("v2", update("v1", true)), "a rollback to v1");
    assertFalse(VersionFollower.rebases("v2", update("v2", false)), "the trainer's own v2");
  }

  @Test
  void keepsOnlyTheNewestOfferAndClosesTheOneItReplaces() {
    follower.offer("model-v2", update("v2", false));
    follower.offer("model-v3", update("v3", false));
    assertEquals(List.of("model-v2"), closed, "v2 was never used");
    VersionFollower.Offer<String> offer = follower.take();
    assertEquals("model-v3", offer.model());
    assertEquals("v3", offer.update().version());
    assertNull(follower.take(), "taken once");
    follower.close();
    assertEquals(List.of("model-v2"), closed, "the taken model is the caller's");
  }

  @Test
  void aCandidateIsSupersededOnlyByAnotherVersionNotYetTaken() {
    assertFalse(follower.supersedes("v1"), "nothing offered");
    follower.offer("model-v1", update("v1", false));
    assertFalse(follower.supersedes("v1"), "the parent itself");
    follower.offer("model-v0", update("v0", true));
    assertTrue(follower.supersedes("v1"));
    assertEquals("v0", follower.offeredVersion());
    follower.take();
    assertFalse(follower.supersedes("v1"), "taken: the trainer rebases on it");
  }

  @Test
  void closingReleasesAnOfferNeverTaken() {
    follower.offer("model-v2", update("v2", false));
    follower.close();
    assertEquals(List.of("model-v2"), closed);
    assertNull(follower.take());
  }
}
