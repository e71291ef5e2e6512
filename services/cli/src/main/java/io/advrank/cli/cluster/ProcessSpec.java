package io.advrank.cli.cluster;

import java.util.List;

/**
 * One process of a local cluster: its name (unique in the cluster, also its log's name), role, the
 * port it is known by (a broker's client port, a service's {@code /metrics} port, Prometheus's web
 * port) and the {@code advrank} arguments that start it (empty for Prometheus, which is not an
 * advrank process: {@link #command} then holds its whole command line).
 */
record ProcessSpec(String name, Role role, int port, List<String> args, List<String> command) {
  /** What a process is, for ordering start and stop, and for {@code cluster status}. */
  enum Role {
    BROKER,
    SERVICE,
    PROMETHEUS
  }

  ProcessSpec {
    args = List.copyOf(args);
    command = List.copyOf(command);
  }

  static ProcessSpec advrank(String name, Role role, int port, List<String> args) {
    return new ProcessSpec(name, role, port, args, List.of());
  }

  /** The service name for {@code serve} ({@code ranker} for {@code ranker-1}), or the role. */
  String kind() {
    return role == Role.SERVICE ? args.get(1) : role.name().toLowerCase(java.util.Locale.ROOT);
  }
}
