package io.advrank.producer;

import io.advrank.runtime.kafka.Acls;
import io.advrank.runtime.topic.Topics;
import java.util.List;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The least Kafka ACLs the producer needs, for a cluster with an authoriser: write the catalog and
 * the queries, and describe the advrank topics (start-up checks). No group, no transactions; the
 * topics are created beforehand by an administrator.
 */
public final class ProducerAcls {
  private ProducerAcls() {}

  /** The ACLs of {@code principal} (e.g. {@code User:advrank-producer}). */
  public static List<AclBinding> of(String principal) {
    return List.of(
        allow(Topics.CATALOG.name(), PatternType.LITERAL, AclOperation.WRITE, principal),
        allow(Topics.QUERIES.name(), PatternType.LITERAL, AclOperation.WRITE, principal),
        allow("advrank.", PatternType.PREFIXED, AclOperation.DESCRIBE, principal));
  }

  private static AclBinding allow(
      String topic, PatternType pattern, AclOperation op, String principal) {
    return Acls.allow(ResourceType.TOPIC, topic, pattern, op, principal);
  }
}
