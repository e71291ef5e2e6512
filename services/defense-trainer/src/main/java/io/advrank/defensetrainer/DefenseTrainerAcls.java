package io.advrank.defensetrainer;

import static io.advrank.runtime.kafka.Acls.allow;

import io.advrank.runtime.topic.Topics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;

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
    List<AclBinding> out = new ArrayList<>();
    for (String topic :
        List.of(Topics.CATALOG.name(), Topics.ADVERSARIAL.name(), Topics.MODELS.name())) {
      out.add(allow(ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.READ, principal));
    }
    for (String topic :
        List.of(Topics.MODELS.name(), Topics.MODEL_DECISIONS.name(), Topics.DEAD_LETTER.name())) {
      out.add(allow(ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.WRITE, principal));
    }
    out.add(
        allow(
            ResourceType.TOPIC,
            "advrank.",
            PatternType.PREFIXED,
            AclOperation.DESCRIBE,
            principal));
    out.add(
        allow(ResourceType.GROUP, s.groupId(), PatternType.LITERAL, AclOperation.READ, principal));
    return out;
  }
}
