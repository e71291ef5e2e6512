package io.advrank.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka (KRaft: one process is both broker and controller) running inside this
 * JVM, for {@code advrank demo} and for integration tests; there is no Docker here. It supports
 * everything the services use: topic creation, consumer groups, transactions and exactly-once Kafka
 * Streams.
 *
 * <p>Data lives in a temporary directory that {@link #close()} deletes. Start-up takes about one
 * second in a warm JVM; the first start in a fresh JVM pays for loading Kafka's and Scala's classes
 * (2-3 s on an idle 2-core machine, up to 7 s when it is busy). Example:
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
 *   Properties p = new Properties();
 *   p.put("bootstrap.servers", kafka.bootstrapServers());
 *   ...
 * }
 * }</pre>
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final String HOST = "127.0.0.1";
  private static final int START_ATTEMPTS = 3;

  static {
    quietKafkaLogs();
  }

  /**
   * Kafka logs thousands of config lines at INFO. These properties are read by slf4j-simple when
   * each logger is created; other backends ignore them and use their own configuration.
   */
  static void quietKafkaLogs() {
    quietIfUnset("org.slf4j.simpleLogger.log.kafka");
    quietIfUnset("org.slf4j.simpleLogger.log.org.apache.kafka");
    quietIfUnset("org.slf4j.simpleLogger.log.state.change.logger");
  }

  /**
   * What a secured broker needs: its certificate and key ({@code keystore}, PKCS12, for the IP
   * 127.0.0.1), the CA whose client certificates it accepts on the mTLS listener ({@code
   * truststore}), both under one password, and the SCRAM-SHA-512 users it knows (name → password).
   * With {@code acls} the broker authorises every request by its ACLs (KRaft's StandardAuthorizer):
   * a user may do only what an ACL allows, while the plain-text listener stays a super user for
   * tooling and tests.
   */
  public record Security(
      Path keystore,
      Path truststore,
      String storePassword,
      Map<String, String> scramUsers,
      boolean acls) {
    public Security {
      scramUsers = Map.copyOf(scramUsers);
    }

    /** Without ACLs: every authenticated user may do anything. */
    public Security(
        Path keystore, Path truststore, String storePassword, Map<String, String> scramUsers) {
      this(keystore, truststore, storePassword, scramUsers, false);
    }

    @Override
    public String toString() {
      return "Security[keystore=" + keystore + ", users=" + scramUsers.keySet() + "]";
    }
  }

  private final KafkaRaftServer server;
  private final Path directory;
  private final Map<String, String> listeners;
  private final String clusterId;
  private final Duration startupTime;
  private boolean closed;

  private EmbeddedKafka(
      KafkaRaftServer server,
      Path directory,
      Map<String, String> listeners,
      String clusterId,
      Duration startupTime) {
    this.server = server;
    this.directory = directory;
    this.listeners = Map.copyOf(listeners);
    this.clusterId = clusterId;
    this.startupTime = startupTime;
  }

  /** Starts a broker with the single-node defaults. */
  public static EmbeddedKafka start() {
    return start(Map.of());
  }

  /**
   * Starts a broker; {@code overrides} replace or add broker configs (e.g. {@code
   * log.retention.ms}). Ports are chosen free just before start; if another process takes one in
   * between, start-up is retried with new ports.
   *
   * @throws IllegalStateException if the broker cannot be started
   */
  public static EmbeddedKafka start(Map<String, String> overrides) {
    return startRetrying(overrides, null);
  }

  /**
   * Starts a broker with two more client listeners: {@code SASL_SSL} (TLS, SCRAM-SHA-512 users) and
   * {@code SSL} (TLS with a client certificate required: mTLS). The plain-text listener stays for
   * tooling; {@link #bootstrapServers(String)} gives each listener's address.
   */
  public static EmbeddedKafka startSecured(Security security) {
    return startRetrying(Map.of(), security);
  }

  private static EmbeddedKafka startRetrying(Map<String, String> overrides, Security security) {
    RuntimeException last = null;
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      try {
        return startOnce(overrides, 0, security);
      } catch (RuntimeException e) {
        last = e;
        LOG.warn("embedded Kafka start attempt {} failed: {}", attempt, e.toString());
      }
    }
    throw new IllegalStateException("could not start embedded Kafka", last);
  }

  /**
   * Starts a broker whose clients connect on {@code brokerPort} (e.g. 9092, for {@code advrank
   * broker}); the controller port is picked free. One attempt: a taken port is the caller's error.
   *
   * @throws IllegalStateException if the broker cannot be started, e.g. the port is in use
   */
  public static EmbeddedKafka startOnPort(int brokerPort, Map<String, String> overrides) {
    if (brokerPort < 1 || brokerPort > 65535) {
      throw new IllegalArgumentException("port: must be in 1..65535, was " + brokerPort);
    }
    try {
      return startOnce(overrides, brokerPort, null);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "could not start Kafka on port " + brokerPort + " (in use?): " + e.getMessage(), e);
    }
  }

  private static EmbeddedKafka startOnce(
      Map<String, String> overrides, int fixedBrokerPort, Security security) {
    long t0 = System.nanoTime();
    Path dir = createTempDirectory();
    KafkaRaftServer server = null;
    try {
      int[] ports = freePorts(security == null ? 2 : 4);
      if (fixedBrokerPort > 0) {
        ports[0] = fixedBrokerPort;
      }
      Properties props = brokerProperties(dir.resolve("data"), ports[0], ports[1]);
      Map<String, String> listeners = new LinkedHashMap<>();
      listeners.put("PLAINTEXT", HOST + ":" + ports[0]);
      List<String> formatArgs = new ArrayList<>();
      if (security != null) {
        listeners.put("SASL_SSL", HOST + ":" + ports[2]);
        listeners.put("SSL", HOST + ":" + ports[3]);
        secure(props, listeners, security);
        security
            .scramUsers()
            .forEach(
                (name, password) ->
                    formatArgs.addAll(
                        List.of(
                            "--add-scram",
                            "SCRAM-SHA-512=[name=" + name + ",password=" + password + "]")));
      }
      props.putAll(overrides);
      String clusterId = Uuid.randomUuid().toString();
      KafkaStorage.format(
          props, dir.resolve("server.properties"), clusterId, "embedded Kafka", formatArgs);
      server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
      server.startup();
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      LOG.info("embedded Kafka up at {} in {} ms", listeners, took.toMillis());
      return new EmbeddedKafka(server, dir, listeners, clusterId, took);
    } catch (RuntimeException e) {
      if (server != null) {
        KafkaStorage.shutdownQuietly(server, LOG, "embedded Kafka");
      }
      deleteRecursively(dir);
      throw e;
    }
  }

  /**
   * Broker configuration for one node that is its own controller. Internal topics (consumer
   * offsets, transaction state, share-group state) must have replication factor and min ISR 1, or
   * groups and transactions wait forever for replicas that do not exist.
   */
  static Properties brokerProperties(Path dataDir, int brokerPort, int controllerPort) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
    p.put(
        "listeners",
        "PLAINTEXT://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", dataDir.toString());
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("num.partitions", "1");
    // Topics come from Topics.createAll (or Streams for its internal topics), never by accident.
    p.put("auto.create.topics.enable", "false");
    // No reason to wait for more members in a one-machine setup; speeds up every group join.
    p.put("group.initial.rebalance.delay.ms", "0");
    return p;
  }

  /** Adds the SASL_SSL and SSL (mTLS) listeners of {@link #startSecured}. */
  private static void secure(Properties p, Map<String, String> listeners, Security security) {
    String controller = p.getProperty("listeners").replaceAll("^.*,(CONTROLLER://)", "$1");
    StringBuilder bound = new StringBuilder();
    listeners.forEach(
        (name, address) -> bound.append(name).append("://").append(address).append(','));
    p.put("advertised.listeners", bound.substring(0, bound.length() - 1));
    p.put("listeners", bound + controller);
    p.put(
        "listener.security.protocol.map",
        "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL");
    p.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
    p.put(
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    p.put("ssl.keystore.type", "PKCS12");
    p.put("ssl.keystore.location", security.keystore().toString());
    p.put("ssl.keystore.password", security.storePassword());
    p.put("ssl.key.password", security.storePassword());
    p.put("ssl.truststore.type", "PKCS12");
    p.put("ssl.truststore.location", security.truststore().toString());
    p.put("ssl.truststore.password", security.storePassword());
    p.put("listener.name.ssl.ssl.client.auth", "required");
    if (security.acls()) {
      p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
      // The plain-text and controller listeners' principal: the broker itself and tooling.
      p.put("super.users", "User:ANONYMOUS");
      p.put("allow.everyone.if.no.acl.found", "false");
    }
  }

  /** {@code host:port} of the broker's plain-text client listener. */
  public String bootstrapServers() {
    return listeners.get("PLAINTEXT");
  }

  /**
   * {@code host:port} of a client listener: {@code PLAINTEXT}, or on a broker started with {@link
   * #startSecured} also {@code SASL_SSL} or {@code SSL}.
   *
   * @throws IllegalArgumentException for a listener this broker does not have
   */
  public String bootstrapServers(String listener) {
    String address = listeners.get(listener);
    if (address == null) {
      throw new IllegalArgumentException(
          "listener: no " + listener + " listener, only " + listeners.keySet());
    }
    return address;
  }

  /**
   * Creates {@code acls} as the super user of the plain-text listener (a broker started with {@link
   * #startSecured} and ACLs) and waits until the broker's authoriser holds them: {@code createAcls}
   * returns when the controller has them, and the broker applies them a moment later, so a client
   * started at once could still be refused.
   *
   * @throws IllegalStateException if they are not applied within 30 s
   */
  public void grant(List<AclBinding> acls) {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
      admin.createAcls(acls).all().get();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!admin.describeAcls(AclBindingFilter.ANY).values().get().containsAll(acls)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the broker did not apply the ACLs within 30 s");
        }
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while granting ACLs", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("could not create ACLs: " + e.getCause(), e);
    }
  }

  /** The KRaft cluster id this broker was formatted with. */
  public String clusterId() {
    return clusterId;
  }

  /** How long {@link #start} took, formatting included. */
  public Duration startupTime() {
    return startupTime;
  }

  /** Stops the broker and deletes its data. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    KafkaStorage.shutdownQuietly(server, LOG, "embedded Kafka");
    deleteRecursively(directory);
  }

  private static int[] freePorts(int count) {
    // Hold all sockets open until every port is chosen, so the same port is not picked twice.
    ServerSocket[] sockets = new ServerSocket[count];
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        sockets[i] = new ServerSocket(0, 1, InetAddress.getByName(HOST));
        ports[i] = sockets[i].getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    } finally {
      for (ServerSocket socket : sockets) {
        closeQuietly(socket);
      }
    }
  }

  private static void closeQuietly(ServerSocket socket) {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // The port is released either way.
      }
    }
  }

  private static Path createTempDirectory() {
    try {
      return Files.createTempDirectory("advrank-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Kafka's own recursive delete: this module depends on no advrank module. */
  static void deleteRecursively(Path dir) {
    try {
      Utils.delete(dir.toFile());
    } catch (IOException e) {
      LOG.warn("could not delete {}: {}", dir, e.toString());
    }
  }

  private static void quietIfUnset(String property) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, "warn");
    }
  }
}
