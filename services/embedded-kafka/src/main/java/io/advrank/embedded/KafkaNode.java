package io.advrank.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.function.IntUnaryOperator;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node of a KRaft Kafka cluster (broker and controller in one process) running in this JVM,
 * with its data in a directory that outlives it: {@code advrank broker} in cluster mode, one per
 * process, so that a node killed with {@code kill -9} can be started again on the same data. {@link
 * EmbeddedKafka} stays the throw-away single node of the demo and the tests.
 *
 * <p>Every node of a cluster gets the same {@code clusterId} and voter list; the internal topics
 * (consumer offsets, transaction state) are replicated {@code min(3, voters)} times with {@code
 * min.insync.replicas} by the caller's rule (advrank-runtime's {@code Topic#minInSyncReplicas}, the
 * same rule as advrank's own topics), so the cluster keeps accepting acks=all writes and
 * transactions with one node down.
 */
public final class KafkaNode implements AutoCloseable {
  static {
    EmbeddedKafka.quietKafkaLogs();
  }

  private static final Logger LOG = LoggerFactory.getLogger(KafkaNode.class);

  /**
   * Where and how one node runs.
   *
   * @param nodeId this node's id, one of the voters'
   * @param clusterId the cluster's id (22-character base64 UUID), the same on every node
   * @param voters the controller quorum, {@code id@host:port,...}
   * @param bindHost interface the listeners bind ({@code 0.0.0.0} for all)
   * @param advertisedHost the host clients are told to connect to
   * @param port client port
   * @param controllerPort controller (Raft) port
   * @param logDir data directory; formatted on first start, reused afterwards
   */
  public record Config(
      int nodeId,
      String clusterId,
      String voters,
      String bindHost,
      String advertisedHost,
      int port,
      int controllerPort,
      Path logDir) {
    /** Checks the values; messages name the option and the bad value. */
    public Config {
      if (nodeId < 0) {
        throw new IllegalArgumentException("node id must be >= 0, was " + nodeId);
      }
      Objects.requireNonNull(clusterId, "cluster id");
      if (voters == null || !voters.matches("\\d+@[^:,\\s]+:\\d+(,\\d+@[^:,\\s]+:\\d+)*")) {
        throw new IllegalArgumentException(
            "controller quorum must be id@host:port[,id@host:port...], was '" + voters + "'");
      }
      if (!voters.matches("(.*,)?" + nodeId + "@.*")) {
        throw new IllegalArgumentException(
            "node id " + nodeId + " is not one of the controller quorum's voters " + voters);
      }
      checkPort("port", port);
      checkPort("controller port", controllerPort);
      Objects.requireNonNull(bindHost, "bind host");
      Objects.requireNonNull(advertisedHost, "advertised host");
      Objects.requireNonNull(logDir, "log dir");
    }

    private static void checkPort(String what, int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(what + " must be in 1..65535, was " + port);
      }
    }

    /** Voters in the quorum. */
    public int voterCount() {
      return voters.split(",").length;
    }
  }

  private final KafkaRaftServer server;
  private final String bootstrapServers;
  private final Duration startupTime;
  private boolean closed;

  private KafkaNode(KafkaRaftServer server, String bootstrapServers, Duration startupTime) {
    this.server = server;
    this.bootstrapServers = bootstrapServers;
    this.startupTime = startupTime;
  }

  /**
   * Formats the log directory unless it already is (a restart keeps its data), then starts the
   * node. It serves clients once a quorum of voters is up.
   *
   * @throws IllegalStateException if formatting or start-up fails (e.g. a port in use)
   */
  public static KafkaNode start(Config config, IntUnaryOperator minInSyncReplicas) {
    long t0 = System.nanoTime();
    Properties props = properties(config, minInSyncReplicas);
    format(props, config);
    KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    try {
      server.startup();
    } catch (RuntimeException e) {
      try {
        server.shutdown();
      } catch (RuntimeException ignored) {
        // the start-up failure is the error to report
      }
      throw new IllegalStateException(
          "could not start Kafka node "
              + config.nodeId()
              + " on port "
              + config.port()
              + " (in use?): "
              + e.getMessage(),
          e);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    String bootstrap = config.advertisedHost() + ":" + config.port();
    LOG.info("Kafka node {} up at {} in {} ms", config.nodeId(), bootstrap, took.toMillis());
    return new KafkaNode(server, bootstrap, took);
  }

  /**
   * The broker configuration of one node; internal topics sized to the voter count, their {@code
   * min.insync.replicas} given by {@code minInSyncReplicas} of that replication factor.
   */
  static Properties properties(Config c, IntUnaryOperator minInSyncReplicas) {
    int replicas = Math.min(3, c.voterCount());
    String minIsr = Integer.toString(minInSyncReplicas.applyAsInt(replicas));
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", Integer.toString(c.nodeId()));
    p.put("controller.quorum.voters", c.voters());
    p.put(
        "listeners",
        "PLAINTEXT://"
            + c.bindHost()
            + ":"
            + c.port()
            + ",CONTROLLER://"
            + c.bindHost()
            + ":"
            + c.controllerPort());
    p.put("advertised.listeners", "PLAINTEXT://" + c.advertisedHost() + ":" + c.port());
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", c.logDir().toAbsolutePath().toString());
    p.put("offsets.topic.replication.factor", Integer.toString(replicas));
    p.put("offsets.topic.num.partitions", "8");
    p.put("transaction.state.log.replication.factor", Integer.toString(replicas));
    p.put("transaction.state.log.min.isr", minIsr);
    p.put("transaction.state.log.num.partitions", "4");
    p.put("share.coordinator.state.topic.replication.factor", Integer.toString(replicas));
    p.put("share.coordinator.state.topic.min.isr", minIsr);
    p.put("default.replication.factor", Integer.toString(replicas));
    p.put("min.insync.replicas", minIsr);
    p.put("num.partitions", "1");
    p.put("auto.create.topics.enable", "false");
    p.put("group.initial.rebalance.delay.ms", "0");
    return p;
  }

  /** Formats the storage with the cluster id; a directory formatted before is left as it is. */
  private static void format(Properties props, Config c) {
    try {
      Files.createDirectories(c.logDir());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path file = c.logDir().resolveSibling(c.logDir().getFileName() + ".properties");
    KafkaStorage.format(
        props, file, c.clusterId(), "Kafka node " + c.nodeId() + " in " + c.logDir());
  }

  /** {@code host:port} of this node's client listener, as advertised. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** How long {@link #start} took. */
  public Duration startupTime() {
    return startupTime;
  }

  /** Stops the node; its data stays. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    KafkaStorage.shutdownQuietly(server, LOG, "Kafka node");
  }
}
