package io.advrank.attackworker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.core.attack.AttackProfile;
import io.advrank.core.attack.AttackType;
import io.advrank.runtime.settings.SettingsException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CampaignTest {

  @Test
  void parsesCatalogAndQueryAttacksWithTargets() {
    Campaign c =
        Campaign.parse(
            "CA+ eps=0.1 w=2 fraction=0.2 items=item-1,item-2; sp-qa- eps=0.03 m=1 fraction=0.5"
                + " targets=item-9",
            7);
    assertEquals(2, c.attacks().size());
    CampaignAttack ca = c.attacks().get(0);
    assertEquals(AttackType.CA_PLUS, ca.type());
    assertEquals(0.1, ca.epsilon());
    assertEquals(2, ca.size());
    assertEquals(Set.of("item-1", "item-2"), ca.items());
    CampaignAttack qa = c.attacks().get(1);
    assertEquals(AttackType.SP_QA_MINUS, qa.type());
    assertEquals(List.of("item-9"), qa.targets());
    assertEquals(7, c.seed());
  }

  @Test
  void readsEpsilonAsAFractionOf255AndTheProfile() {
    CampaignAttack a =
        Campaign.parse("CA+ eps=8/255 w=1 fraction=0.2 profile=rob224", 0).attacks().get(0);
    assertEquals(8.0 / 255, a.epsilon(), 1e-12);
    assertEquals(AttackProfile.ROB224, a.profile());
    assertEquals(32, a.spec(1).schedule().iterations());
    assertEquals(1.0 / 255, a.spec(1).schedule().alpha(), 1e-12);
    assertEquals("CA+ eps=8/255 w=1 fraction=0.2 profile=rob224", a.describe());
    assertEquals(
        AttackProfile.PAPER,
        Campaign.parse("CA+ eps=0.1 fraction=0.1", 0).attacks().get(0).profile());
    assertMessage("CA+ eps=0.1 fraction=0.1 profile=rob32", "profile: unknown 'rob32'");
    assertMessage("CA+ eps=8/0 fraction=0.1", "bad value '8/0' for eps");
  }

  @Test
  void emptyCampaignAttacksNothing() {
    Campaign c = Campaign.parse("  ", 1);
    assertTrue(c.attacks().isEmpty());
    assertTrue(c.choose(true, "e1", "item-1").isEmpty());
  }

  @Test
  void unknownTypeKeyOrValueIsRejectedByName() {
    assertMessage("XA+ eps=0.1 fraction=0.1", "unknown attack type 'XA+'");
    assertMessage("CA+ eps=0.1 fraction=0.1 budget=3", "unknown key 'budget'");
    assertMessage("CA+ eps=0.1 fraction=0.1 oops", "unknown word 'oops'");
    assertMessage("CA+ eps=abc fraction=0.1", "bad value 'abc' for eps");
    assertMessage("CA+ eps=0.1 fraction=0.1 m=2", "takes w=, not m=");
    assertMessage("QA+ eps=0.1 fraction=0.1 w=2", "takes m=, not w=");
    assertMessage("CA+ eps=2 fraction=0.1", "eps must be in (0, 1]");
    assertMessage("CA+ eps=0.1 fraction=1.5", "fraction must be in [0, 1]");
    assertMessage("CA+ eps=0.1", "needs fraction=");
    assertMessage("ES eps=0.1 fraction=0.1", "moves no ranking");
    assertMessage("QA+ eps=0.1 fraction=0.1 m=2 targets=item-1", "m=2 but targets= names 1");
    assertMessage("CA+ eps=0.1 fraction=0.1 targets=item-1", "targets= is for QA");
    assertMessage("CA+ eps=0.1 fraction=0.6; CA- eps=0.1 fraction=0.6", "more than 1");
    assertMessage("CA+ eps=0.1 w=1.5 fraction=0.1", "bad value '1.5' for w");
  }

  @Test
  void choiceIsDeterministicPerEventIdAndSeed() {
    Campaign a = Campaign.parse("CA+ eps=0.1 fraction=0.3; QA+ eps=0.1 fraction=0.3", 42);
    Campaign b = Campaign.parse("CA+ eps=0.1 fraction=0.3; QA+ eps=0.1 fraction=0.3", 42);
    for (int i = 0; i < 200; i++) {
      String id = "event-" + i;
      assertEquals(a.choose(true, id, "x"), b.choose(true, id, "x"));
      assertEquals(a.choose(false, id, "x"), b.choose(false, id, "x"));
      assertEquals(a.eventSeed(id), b.eventSeed(id));
    }
  }

  @Test
  void attacksAboutTheConfiguredFractionOfEachStream() {
    Campaign c = Campaign.parse("CA+ eps=0.1 fraction=0.2; SP-QA+ eps=0.1 fraction=0.5", 3);
    int catalog = 0;
    int queries = 0;
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      Optional<CampaignAttack> ca = c.choose(true, "e" + i, "item");
      Optional<CampaignAttack> qa = c.choose(false, "e" + i, "q");
      catalog += ca.isPresent() ? 1 : 0;
      queries += qa.isPresent() ? 1 : 0;
      ca.ifPresent(x -> assertEquals(AttackType.CA_PLUS, x.type()));
      qa.ifPresent(x -> assertEquals(AttackType.SP_QA_PLUS, x.type()));
    }
    assertEquals(0.2, catalog / (double) n, 0.015);
    assertEquals(0.5, queries / (double) n, 0.015);
  }

  @Test
  void anotherSeedChoosesOtherEvents() {
    Campaign a = Campaign.parse("CA+ eps=0.1 fraction=0.5", 1);
    Campaign b = Campaign.parse("CA+ eps=0.1 fraction=0.5", 2);
    int differ = 0;
    for (int i = 0; i < 200; i++) {
      differ += a.choose(true, "e" + i, "i").equals(b.choose(true, "e" + i, "i")) ? 0 : 1;
    }
    assertTrue(differ > 50, "seeds change the choice: " + differ);
  }

  @Test
  void sellerAttacksOnlyItsOwnItems() {
    Campaign c = Campaign.parse("CA+ eps=0.1 fraction=1 items=item-7", 0);
    assertTrue(c.choose(true, "e1", "item-7").isPresent());
    assertFalse(c.choose(true, "e1", "item-8").isPresent());
    assertFalse(c.choose(false, "e1", "item-7").isPresent(), "a CA line never takes queries");
  }

  private static void assertMessage(String text, String expected) {
    SettingsException e = assertThrows(SettingsException.class, () -> Campaign.parse(text, 0));
    assertTrue(
        e.getMessage().contains(expected), () -> "'" + e.getMessage() + "' lacks " + expected);
  }
}
