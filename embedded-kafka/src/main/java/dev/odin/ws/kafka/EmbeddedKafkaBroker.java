package dev.odin.ws.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;

/**
 * A single-node KRaft Kafka broker running inside this JVM, on loopback ports of its own choosing.
 *
 * <p>It can be stopped and started again on the same ports and data, which is how tests take the
 * broker away from a running shard and bring it back.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(60);
  private final Path dataDir;
  private final boolean ownsDataDir;
  private final int brokerPort;
  private final int controllerPort;
  private final Map<String, String> extraProperties;
  /** The user and password a SASL/SCRAM broker knows; null for a plaintext broker. */
  private final String[] scramUser;
  /** With SCRAM: a plaintext listener for the broker itself and {@link #admin()} (the test's own side). */
  private final int internalPort;
  private KafkaRaftServer server;

  private EmbeddedKafkaBroker(
      Path dataDir, boolean ownsDataDir, int brokerPort, int controllerPort, Map<String, String> extra) {
    this(dataDir, ownsDataDir, brokerPort, controllerPort, extra, null, 0);
  }

  private EmbeddedKafkaBroker(Path dataDir, boolean ownsDataDir, int brokerPort, int controllerPort,
      Map<String, String> extra, String[] scramUser, int internalPort) {
    this.scramUser = scramUser;
    this.internalPort = internalPort;
    this.dataDir = dataDir;
    this.ownsDataDir = ownsDataDir;
    this.brokerPort = brokerPort;
    this.controllerPort = controllerPort;
    this.extraProperties = Map.copyOf(extra);
  }

  /** Formats a fresh temporary log directory and starts the broker on free ports. */
  public static EmbeddedKafkaBroker start() {
    return start(Map.of());
  }

  /** As {@link #start()}, with extra broker properties (for example a short retention). */
  public static EmbeddedKafkaBroker start(Map<String, String> extraProperties) {
    try {
      Path dir = Files.createTempDirectory("odin-ws-kafka-");
      EmbeddedKafkaBroker broker =
          new EmbeddedKafkaBroker(dir, true, freePort(), freePort(), extraProperties);
      broker.format();
      broker.startServer();
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A broker whose client listener ({@link #bootstrapServers()}) requires SASL/SCRAM-SHA-256 and knows one user,
   * {@code user} with {@code password}. Clients then need {@code security.protocol=SASL_PLAINTEXT},
   * {@code sasl.mechanism=SCRAM-SHA-256} and a {@code ScramLoginModule} JAAS config; {@link #admin()} uses a
   * plaintext listener of the broker's own, so that a test can create topics without credentials.
   */
  public static EmbeddedKafkaBroker startWithScram(String user, String password) {
    try {
      Path dir = Files.createTempDirectory("odin-ws-kafka-sasl-");
      EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dir, true, freePort(), freePort(), Map.of(),
          new String[] {user, password}, freePort());
      broker.format();
      broker.startServer();
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The client properties (as a properties file's text) that authenticate as {@code user} on a SCRAM broker. */
  public static String scramClientProperties(String user, String password) {
    return "security.protocol=SASL_PLAINTEXT\n"
        + "sasl.mechanism=SCRAM-SHA-256\n"
        + "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + user + "\" password=\"" + password + "\";\n";
  }

  /**
   * Starts a broker on a given port whose data lives in {@code dataDir}, formatting the directory
   * only when it has never been formatted: local mode keeps its topics across restarts this way.
   */
  public static EmbeddedKafkaBroker startPersistent(Path dataDir, int brokerPort) {
    try {
      Files.createDirectories(dataDir);
      EmbeddedKafkaBroker broker =
          new EmbeddedKafkaBroker(dataDir, false, brokerPort, freePort(), Map.of());
      if (!Files.exists(dataDir.resolve("data").resolve("meta.properties"))) {
        broker.format();
      }
      broker.startServer();
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + brokerPort;
  }

  /** Creates each topic that does not exist yet, with replication factor 1. */
  public void createTopics(int partitions, String... topics) {
    try (Admin admin = admin()) {
      for (String topic : topics) {
        try {
          admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("cannot create topic " + topic, e.getCause());
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public Admin admin() {
    return Admin.create(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            scramUser == null ? bootstrapServers() : "127.0.0.1:" + internalPort,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
  }

  /** Stops the broker but keeps its data and ports, so {@link #restart()} brings it back as it was. */
  public synchronized void stop() {
    if (server != null) {
      KafkaRaftServer stopping = server;
      server = null;
      // A controlled shutdown can wait on its own controller forever; bound it so a test run always ends.
      Thread shutdown = new Thread(() -> {
        stopping.shutdown();
        stopping.awaitShutdown();
      }, "embedded-kafka-shutdown");
      shutdown.setDaemon(true);
      shutdown.start();
      try {
        shutdown.join(SHUTDOWN_TIMEOUT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  public synchronized void restart() {
    if (server == null) {
      startServer();
    }
  }

  @Override
  public synchronized void close() {
    stop();
    if (ownsDataDir) {
      deleteRecursively(dataDir);
    }
  }

  private Properties properties() {
    Properties props = new Properties();
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    if (scramUser == null) {
      props.put(
          "listeners",
          "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
      props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
      props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    } else {
      props.put("listeners", "INTERNAL://127.0.0.1:" + internalPort + ",EXTERNAL://127.0.0.1:" + brokerPort
          + ",CONTROLLER://127.0.0.1:" + controllerPort);
      props.put("advertised.listeners", "INTERNAL://127.0.0.1:" + internalPort + ",EXTERNAL://127.0.0.1:" + brokerPort);
      props.put("listener.security.protocol.map",
          "INTERNAL:PLAINTEXT,EXTERNAL:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
      props.put("inter.broker.listener.name", "INTERNAL");
      props.put("sasl.enabled.mechanisms", "SCRAM-SHA-256");
      props.put("listener.name.external.scram-sha-256.sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    }
    props.put("controller.listener.names", "CONTROLLER");
    props.put("log.dirs", dataDir.resolve("data").toString());
    // A single node: every internal topic must fit on it, or consumer groups never form.
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "4");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("num.partitions", "1");
    props.put("auto.create.topics.enable", "true");
    props.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
    props.putAll(extraProperties);
    return props;
  }

  private void format() throws IOException {
    Path config = dataDir.resolve("server.properties");
    try (Writer writer = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
      properties().store(writer, "odin-ws embedded broker");
    }
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      java.util.List<String> args = new java.util.ArrayList<>(
          List.of("format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()));
      if (scramUser != null) {
        // KRaft keeps SCRAM credentials in its metadata log: they are added when the log is formatted.
        args.addAll(List.of("--add-scram",
            "SCRAM-SHA-256=[name=" + scramUser[0] + ",password=" + scramUser[1] + "]"));
      }
      int rc = StorageTool.execute(args.toArray(String[]::new), out);
      if (rc != 0) {
        throw new IllegalStateException("formatting the Kafka log directory failed: " + output);
      }
    } catch (Exception e) {
      if (e instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException("formatting the Kafka log directory failed: " + output, e);
    }
  }

  private void startServer() {
    server = new KafkaRaftServer(KafkaConfig.fromProps(properties()), Time.SYSTEM);
    server.startup();
    awaitReady(Duration.ofSeconds(60));
  }

  private void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = admin()) {
      while (true) {
        try {
          if (!admin.describeCluster().nodes().get().isEmpty()) {
            return;
          }
        } catch (ExecutionException e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("Kafka broker did not become ready", e.getCause());
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Kafka broker did not become ready in " + timeout);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
