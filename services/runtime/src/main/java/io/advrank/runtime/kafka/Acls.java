package io.advrank.runtime.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The ACLs of one principal, as every service's {@code *Acls} lists them: each an allow from any
 * host. The common grants have a name (read or write topics, describe the advrank topics, a
 * consumer group, a transactional id); {@link #allow} takes any other.
 *
 * <pre>{@code
 * Acls.of("User:advrank-ranker").read(inputs).write(outputs).describeAdvrankTopics()
 *     .group(groupId).transactionalId(id).list();
 * }</pre>
 */
public final class Acls {
  private final String principal;
  private final List<AclBinding> bindings = new ArrayList<>();

  private Acls(String principal) {
    this.principal = principal;
  }

  /** An empty list for {@code principal} (e.g. {@code User:advrank-ranker}). */
  public static Acls of(String principal) {
    return new Acls(principal);
  }

  /** READ on each of these topics. */
  public Acls read(Collection<String> topics) {
    topics.forEach(t -> allow(ResourceType.TOPIC, t, PatternType.LITERAL, AclOperation.READ));
    return this;
  }

  /** WRITE on each of these topics. */
  public Acls write(Collection<String> topics) {
    topics.forEach(t -> allow(ResourceType.TOPIC, t, PatternType.LITERAL, AclOperation.WRITE));
    return this;
  }

  /**
   * DESCRIBE on every {@code advrank.} topic: the start-up check that they exist and have leaders.
   */
  public Acls describeAdvrankTopics() {
    return allow(ResourceType.TOPIC, "advrank.", PatternType.PREFIXED, AclOperation.DESCRIBE);
  }

  /** READ on a consumer group of this name. */
  public Acls group(String id) {
    return allow(ResourceType.GROUP, id, PatternType.LITERAL, AclOperation.READ);
  }

  /** WRITE and DESCRIBE on a transactional id of this name. */
  public Acls transactionalId(String id) {
    allow(ResourceType.TRANSACTIONAL_ID, id, PatternType.LITERAL, AclOperation.WRITE);
    return allow(ResourceType.TRANSACTIONAL_ID, id, PatternType.LITERAL, AclOperation.DESCRIBE);
  }

  /** Allows {@code op} on a resource. */
  public Acls allow(ResourceType type, String name, PatternType pattern, AclOperation op) {
    bindings.add(
        new AclBinding(
            new ResourcePattern(type, name, pattern),
            new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)));
    return this;
  }

  /** The bindings, in the order they were added. */
  public List<AclBinding> list() {
    return List.copyOf(bindings);
  }
}
