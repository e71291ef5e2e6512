package io.advrank.producer;

import io.advrank.runtime.kafka.Acls;
import io.advrank.runtime.topic.Topics;
import java.util.List;
import org.apache.kafka.common.acl.AclBinding;

/**
 * The least Kafka ACLs the producer needs, for a cluster with an authoriser: write the catalog and
 * the queries, and describe the advrank topics (start-up checks). No group, no transactions; the
 * topics are created beforehand by an administrator.
 */
public final class ProducerAcls {
  private ProducerAcls() {}

  /** The ACLs of {@code principal} (e.g. {@code User:advrank-producer}). */
  public static List<AclBinding> of(String principal) {
    return Acls.of(principal)
        .write(List.of(Topics.CATALOG.name(), Topics.QUERIES.name()))
        .describeAdvrankTopics()
        .list();
  }
}
