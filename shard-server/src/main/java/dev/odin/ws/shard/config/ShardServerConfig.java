package dev.odin.ws.shard.config;

import dev.odin.ws.shard.auth.AuthConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything a shard process is told, parsed once from {@code ODIN_WS_*} environment variables.
 * Defaults live here and nowhere else; a bad value fails with a {@link ConfigException} naming it.
 */
public final class ShardServerConfig {
  public static final String PREFIX = "ODIN_WS_";
  private static final Pattern POD_ORDINAL = Pattern.compile(".*-(\\d+)$");
  /** Connections a shard admits per available CPU when no limit is configured. */
  public static final int CONNECTIONS_PER_CPU = 10_000;

  private final String cluster;
  private final int shardIndex;
  private final String bootstrapServers;
  private final List<TopicRoute> topics;
  private final String consumerGroupPrefix;
  private final Map<String, String> kafkaProperties;
  private final String kafkaPropertiesFile;
  private final String bindAddress;
  private final int port;
  private final int managementPort;
  private final int ioThreads;
  private final int maxConnections;
  private final int maxFrameBytes;
  private final int maxSubscriptionsPerConnection;
  private final int inboundMessagesPerSecond;
  private final int inboundBurst;
  private final Duration handshakeTimeout;
  private final Duration pingInterval;
  private final Duration idleTimeout;
  private final int writeBufferHighBytes;
  private final int writeBufferLowBytes;
  private final Duration drainWindow;
  private final long readyMaxLagRecords;
  private final int replayMaxRecords;
  private final Duration replayTimeout;
  private final Duration replayMaxAge;
  private final AuthConfig auth;

  private ShardServerConfig(Variables v) {
    int cpus = Runtime.getRuntime().availableProcessors();
    cluster = v.string("CLUSTER", "local");
    shardIndex = v.integer("SHARD_INDEX", ordinalOf(v.raw("HOSTNAME")), 0, 100_000);
    bootstrapServers = v.required("KAFKA_BOOTSTRAP_SERVERS");
    topics = parseTopics(v.required("KAFKA_TOPICS"));
    consumerGroupPrefix = v.string("KAFKA_CONSUMER_GROUP_PREFIX", cluster);
    kafkaPropertiesFile = v.string("KAFKA_PROPERTIES_FILE", "");
    kafkaProperties = loadProperties(kafkaPropertiesFile);
    bindAddress = v.string("BIND_ADDRESS", "0.0.0.0");
    port = v.integer("PORT", 8080, 0, 65535);
    managementPort = v.integer("MANAGEMENT_PORT", 9090, 0, 65535);
    ioThreads = v.integer("IO_THREADS", cpus, 1, 256);
    maxConnections = v.integer("MAX_CONNECTIONS", CONNECTIONS_PER_CPU * cpus, 0, 10_000_000);
    maxFrameBytes = v.integer("MAX_FRAME_BYTES", 65_536, 256, 16 * 1024 * 1024);
    maxSubscriptionsPerConnection = v.integer("MAX_SUBSCRIPTIONS_PER_CONNECTION", 128, 1, 100_000);
    inboundMessagesPerSecond = v.integer("INBOUND_MESSAGES_PER_SECOND", 20, 1, 1_000_000);
    inboundBurst = v.integer("INBOUND_BURST", 40, 1, 1_000_000);
    handshakeTimeout = Duration.ofSeconds(v.integer("HANDSHAKE_TIMEOUT_SECONDS", 10, 1, 3600));
    pingInterval = Duration.ofSeconds(v.integer("PING_INTERVAL_SECONDS", 25, 1, 3600));
    idleTimeout = Duration.ofSeconds(v.integer("IDLE_TIMEOUT_SECONDS", 60, 1, 86_400));
    writeBufferHighBytes = v.integer("WRITE_BUFFER_HIGH_BYTES", 1024 * 1024, 1024, 1 << 30);
    writeBufferLowBytes = v.integer("WRITE_BUFFER_LOW_BYTES", 512 * 1024, 0, 1 << 30);
    drainWindow = Duration.ofSeconds(v.integer("DRAIN_SECONDS", 30, 0, 86_400));
    readyMaxLagRecords = v.integer("READY_MAX_LAG_RECORDS", 1000, 0, Integer.MAX_VALUE);
    replayMaxRecords = v.integer("REPLAY_MAX_RECORDS", 100_000, 0, Integer.MAX_VALUE);
    replayTimeout = Duration.ofSeconds(v.integer("REPLAY_TIMEOUT_SECONDS", 10, 1, 600));
    replayMaxAge = Duration.ofSeconds(v.integer("REPLAY_MAX_AGE_SECONDS", 86_400, 1, Integer.MAX_VALUE));
    auth = AuthConfig.fromEnvironment(v.env);
    if (writeBufferLowBytes > writeBufferHighBytes) {
      throw new ConfigException(
          PREFIX + "WRITE_BUFFER_LOW_BYTES",
          "must not exceed " + PREFIX + "WRITE_BUFFER_HIGH_BYTES (" + writeBufferHighBytes + ")");
    }
    if (idleTimeout.compareTo(pingInterval) <= 0) {
      throw new ConfigException(
          PREFIX + "IDLE_TIMEOUT_SECONDS",
          "must be longer than " + PREFIX + "PING_INTERVAL_SECONDS (" + pingInterval.toSeconds() + ")");
    }
  }

  /** Parses the given environment; only keys starting with {@code ODIN_WS_} and HOSTNAME are read. */
  public static ShardServerConfig fromEnvironment(Map<String, String> env) {
    return new ShardServerConfig(new Variables(env));
  }

  private static Integer ordinalOf(String hostname) {
    if (hostname == null) {
      return null;
    }
    Matcher m = POD_ORDINAL.matcher(hostname);
    return m.matches() ? Integer.valueOf(m.group(1)) : null;
  }

  private static List<TopicRoute> parseTopics(String value) {
    List<TopicRoute> routes = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (String entry : value.split(",")) {
      String trimmed = entry.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      int eq = trimmed.indexOf('=');
      String topic = eq < 0 ? trimmed : trimmed.substring(0, eq).trim();
      String template = eq < 0 ? TopicRoute.DEFAULT_TEMPLATE : trimmed.substring(eq + 1).trim();
      if (!topic.matches("[a-zA-Z0-9._-]{1,249}")) {
        throw new ConfigException(PREFIX + "KAFKA_TOPICS", "'" + topic + "' is not a valid Kafka topic name");
      }
      if (!seen.add(topic)) {
        throw new ConfigException(PREFIX + "KAFKA_TOPICS", "topic '" + topic + "' is listed twice");
      }
      if (!template.contains("{key}") && !template.contains("{topic}") && template.contains("{")) {
        throw new ConfigException(
            PREFIX + "KAFKA_TOPICS",
            "channel template '" + template + "' of topic " + topic + " may only use {key} and {topic}");
      }
      routes.add(new TopicRoute(topic, template));
    }
    if (routes.isEmpty()) {
      throw new ConfigException(PREFIX + "KAFKA_TOPICS", "names no topic");
    }
    return List.copyOf(routes);
  }

  /** Reads a Java properties file of Kafka client settings (also when the shard re-reads changed credentials). */
  public static Map<String, String> loadProperties(String file) {
    if (file.isEmpty()) {
      return Map.of();
    }
    Properties props = new Properties();
    try (Reader reader = Files.newBufferedReader(Path.of(file))) {
      props.load(reader);
    } catch (IOException e) {
      throw new ConfigException(PREFIX + "KAFKA_PROPERTIES_FILE", "cannot read " + file + ": " + e.getMessage());
    }
    Map<String, String> copy = new java.util.TreeMap<>();
    props.forEach((k, val) -> copy.put(k.toString(), val.toString()));
    return Map.copyOf(copy);
  }

  public String cluster() { return cluster; }
  public int shardIndex() { return shardIndex; }
  public String bootstrapServers() { return bootstrapServers; }
  public List<TopicRoute> topics() { return topics; }
  public String consumerGroup() { return consumerGroupPrefix + "-" + shardIndex; }
  public Map<String, String> kafkaProperties() { return kafkaProperties; }
  /** The file {@link #kafkaProperties()} was read from at start; empty when none. */
  public String kafkaPropertiesFile() { return kafkaPropertiesFile; }
  public String bindAddress() { return bindAddress; }
  public int port() { return port; }
  public int managementPort() { return managementPort; }
  public int ioThreads() { return ioThreads; }
  public int maxConnections() { return maxConnections; }
  public int maxFrameBytes() { return maxFrameBytes; }
  public int maxSubscriptionsPerConnection() { return maxSubscriptionsPerConnection; }
  public int inboundMessagesPerSecond() { return inboundMessagesPerSecond; }
  public int inboundBurst() { return inboundBurst; }
  public Duration handshakeTimeout() { return handshakeTimeout; }
  public Duration pingInterval() { return pingInterval; }
  public Duration idleTimeout() { return idleTimeout; }
  public int writeBufferHighBytes() { return writeBufferHighBytes; }
  public int writeBufferLowBytes() { return writeBufferLowBytes; }
  public Duration drainWindow() { return drainWindow; }
  public long readyMaxLagRecords() { return readyMaxLagRecords; }
  public int replayMaxRecords() { return replayMaxRecords; }
  public Duration replayTimeout() { return replayTimeout; }
  public Duration replayMaxAge() { return replayMaxAge; }
  public AuthConfig auth() { return auth; }

  @Override
  public String toString() {
    return "cluster=" + cluster + " shard=" + shardIndex + " group=" + consumerGroup()
        + " bootstrap=" + bootstrapServers + " topics=" + topics + " ws=" + bindAddress + ":" + port
        + " management=" + managementPort + " ioThreads=" + ioThreads
        + " maxConnections=" + maxConnections + " maxFrameBytes=" + maxFrameBytes
        + " maxSubscriptions=" + maxSubscriptionsPerConnection
        + " inboundRate=" + inboundMessagesPerSecond + "/s burst " + inboundBurst
        + " handshakeTimeout=" + handshakeTimeout + " ping=" + pingInterval + " idle=" + idleTimeout
        + " writeBuffer=" + writeBufferLowBytes + ".." + writeBufferHighBytes
        + " drain=" + drainWindow + " readyMaxLag=" + readyMaxLagRecords
        + " replayMaxRecords=" + replayMaxRecords + " replayTimeout=" + replayTimeout + " replayMaxAge=" + replayMaxAge
        + " kafkaProperties=" + kafkaProperties.keySet() + " " + auth;
  }

  /** Typed reads of {@code ODIN_WS_*} variables, each failure naming its variable. */
  private static final class Variables {
    private final Map<String, String> env;

    Variables(Map<String, String> env) {
      this.env = env;
    }

    String raw(String name) {
      return env.get(name);
    }

    String string(String name, String fallback) {
      String value = env.get(PREFIX + name);
      return value == null || value.isBlank() ? fallback : value.trim();
    }

    String required(String name) {
      String value = string(name, null);
      if (value == null) {
        throw new ConfigException(PREFIX + name, "is required");
      }
      return value;
    }

    int integer(String name, Integer fallback, int min, int max) {
      String value = string(name, null);
      if (value == null) {
        if (fallback == null) {
          throw new ConfigException(PREFIX + name, "is required (or a HOSTNAME ending in -<index>)");
        }
        return fallback;
      }
      int parsed;
      try {
        parsed = Integer.parseInt(value);
      } catch (NumberFormatException e) {
        throw new ConfigException(PREFIX + name, "'" + value + "' is not a whole number");
      }
      if (parsed < min || parsed > max) {
        throw new ConfigException(PREFIX + name, parsed + " is outside " + min + ".." + max);
      }
      return parsed;
    }
  }
}
