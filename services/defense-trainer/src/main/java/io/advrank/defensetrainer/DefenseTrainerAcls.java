package io.advrank.defensetrainer;

import io.advrank.runtime.kafka.Acls;
import io.advrank.runtime.topic.Topics;
import java.util.List;
import org.apache.kafka.common.acl.AclBinding;

/**
 * The least Kafka ACLs a defense-trainer needs, for a cluster with an authoriser: read the catalog
 * and the adversarial variants (in its consumer group) and the model versions (read per instance,
 * no group: its parent and rollbacks), write the versions that pass the gate, every gate decision
 * and its dead letters, and describe the advrank topics (start-up checks). Its producers are
 * idempotent, not transactional: no transactional id, and no IDEMPOTENT_WRITE on the cluster (a
 * principal with WRITE on a topic may produce idempotently to it). The topics are created
 * beforehand by an administrator; no CREATE.
 */
public final class DefenseTrainerAcls {
  private DefenseTrainerAcls() {}

  /** The ACLs of {@code principal} (e.g. {@code User:advrank-defense-trainer}) for settings. */
  public static List<AclBinding> of(DefenseTrainerSettings s, String principal) {
    return Acls.of(principal)
        .read(List.of(Topics.CATALOG.name(), Topics.ADVERSARIAL.name(), Topics.MODELS.name()))
        .write(
            List.of(Topics.MODELS.name(), Topics.MODEL_DECISIONS.name(), Topics.DEAD_LETTER.name()))
        .describeAdvrankTopics()
        .group(s.groupId())
        .list();
  }
}
