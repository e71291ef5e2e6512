package io.advrank.runtime.kafka;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/** The one shape of ACL every service's {@code *Acls} lists: allow, from any host. */
public final class Acls {
  private Acls() {}

  /** Allows {@code principal} (e.g. {@code User:advrank-ranker}) {@code op} on a resource. */
  public static AclBinding allow(
      ResourceType type, String name, PatternType pattern, AclOperation op, String principal) {
    return new AclBinding(
        new ResourcePattern(type, name, pattern),
        new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW));
  }
}
