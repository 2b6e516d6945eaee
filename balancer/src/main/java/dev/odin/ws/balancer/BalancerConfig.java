package dev.odin.ws.balancer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The balancer's settings, validated once when built; every error message names the setting's environment
 * variable, which is also its documented name.
 */
public final class BalancerConfig {

  public static final String PREFIX = "ODIN_BALANCER_";

  private final String cluster;
  private final String bindAddress;
  private final int port;
  private final int managementPort;
  private final List<Backend> backends;
  private final Duration healthCheckInterval;
  private final Duration healthCheckTimeout;
  private final int healthCheckErrorThreshold;
  private final Duration connectTimeout;
  private final int maxRequestHeadBytes;
  private final Duration requestHeadTimeout;
  private final int ioThreads;
  private final int writeBufferLowBytes;
  private final int writeBufferHighBytes;

  private BalancerConfig(Builder b) {
    cluster = b.cluster;
    bindAddress = b.bindAddress;
    port = b.port;
    managementPort = b.managementPort;
    backends = List.copyOf(b.backends);
    healthCheckInterval = b.healthCheckInterval;
    healthCheckTimeout = b.healthCheckTimeout;
    healthCheckErrorThreshold = b.healthCheckErrorThreshold;
    connectTimeout = b.connectTimeout;
    maxRequestHeadBytes = b.maxRequestHeadBytes;
    requestHeadTimeout = b.requestHeadTimeout;
    ioThreads = b.ioThreads;
    writeBufferLowBytes = b.writeBufferLowBytes;
    writeBufferHighBytes = b.writeBufferHighBytes;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads {@code ODIN_BALANCER_*} variables, then lets flags override them: {@code --health-check-interval-ms=500}
   * sets {@code ODIN_BALANCER_HEALTH_CHECK_INTERVAL_MS}.
   */
  public static BalancerConfig fromEnvironment(Map<String, String> env, String... args) {
    Map<String, String> settings = new HashMap<>();
    env.forEach(
        (k, v) -> {
          if (k.startsWith(PREFIX)) {
            settings.put(k, v);
          }
        });
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 3) {
        throw new IllegalArgumentException("flag '" + arg + "' is not of the form --name=value");
      }
      String name = PREFIX + arg.substring(2, eq).replace('-', '_').toUpperCase(Locale.ROOT);
      settings.put(name, arg.substring(eq + 1));
    }
    Builder b = builder();
    Set<String> known = new HashSet<>();
    Reader r = new Reader(settings, known);
    r.read("CLUSTER", Function.identity(), b::cluster);
    r.read("BIND_ADDRESS", Function.identity(), b::bindAddress);
    r.readInt("PORT", b::port);
    r.readInt("MANAGEMENT_PORT", b::managementPort);
    r.read("BACKENDS", BalancerConfig::parseBackends, b::backends);
    r.readMillis("HEALTH_CHECK_INTERVAL_MS", b::healthCheckInterval);
    r.readMillis("HEALTH_CHECK_TIMEOUT_MS", b::healthCheckTimeout);
    r.readInt("HEALTH_CHECK_ERROR_THRESHOLD", b::healthCheckErrorThreshold);
    r.readMillis("CONNECT_TIMEOUT_MS", b::connectTimeout);
    r.readInt("MAX_REQUEST_HEAD_BYTES", b::maxRequestHeadBytes);
    r.readMillis("REQUEST_HEAD_TIMEOUT_MS", b::requestHeadTimeout);
    r.readInt("IO_THREADS", b::ioThreads);
    r.readInt("WRITE_BUFFER_LOW_BYTES", b::writeBufferLowBytes);
    r.readInt("WRITE_BUFFER_HIGH_BYTES", b::writeBufferHighBytes);
    for (String name : settings.keySet()) {
      if (!known.contains(name)) {
        throw new IllegalArgumentException(name + " is not a balancer setting");
      }
    }
    return b.build();
  }

  /** Parses the comma-separated {@code index@host:wsPort:managementPort} list; empty means none. */
  public static List<Backend> parseBackends(String value) {
    List<Backend> list = new ArrayList<>();
    for (String part : value.split(",")) {
      if (!part.isBlank()) {
        list.add(Backend.parse(part));
      }
    }
    return list;
  }

  public String cluster() {
    return cluster;
  }

  public String bindAddress() {
    return bindAddress;
  }

  public int port() {
    return port;
  }

  public int managementPort() {
    return managementPort;
  }

  /** The backends to start with; {@link LeastConnectionsBalancer#setBackends} replaces them later. */
  public List<Backend> backends() {
    return backends;
  }

  public Duration healthCheckInterval() {
    return healthCheckInterval;
  }

  public Duration healthCheckTimeout() {
    return healthCheckTimeout;
  }

  /** Checks in a row without any answer before a backend counts as unhealthy; a non-200 answer needs one. */
  public int healthCheckErrorThreshold() {
    return healthCheckErrorThreshold;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public int maxRequestHeadBytes() {
    return maxRequestHeadBytes;
  }

  public Duration requestHeadTimeout() {
    return requestHeadTimeout;
  }

  public int ioThreads() {
    return ioThreads;
  }

  public int writeBufferLowBytes() {
    return writeBufferLowBytes;
  }

  public int writeBufferHighBytes() {
    return writeBufferHighBytes;
  }

  @Override
  public String toString() {
    return "BalancerConfig{cluster="
        + cluster
        + ", bindAddress="
        + bindAddress
        + ", port="
        + port
        + ", managementPort="
        + managementPort
        + ", backends="
        + backends
        + ", healthCheckInterval="
        + healthCheckInterval.toMillis()
        + "ms, healthCheckTimeout="
        + healthCheckTimeout.toMillis()
        + "ms, healthCheckErrorThreshold="
        + healthCheckErrorThreshold
        + ", connectTimeout="
        + connectTimeout.toMillis()
        + "ms, maxRequestHeadBytes="
        + maxRequestHeadBytes
        + ", requestHeadTimeout="
        + requestHeadTimeout.toMillis()
        + "ms, ioThreads="
        + ioThreads
        + ", writeBuffer="
        + writeBufferLowBytes
        + ".."
        + writeBufferHighBytes
        + "}";
  }

  /** Rejects a backend list that names one index twice: the index is what status and metrics key on. */
  static void checkBackends(List<Backend> backends) {
    Set<Integer> indices = new HashSet<>();
    for (Backend backend : backends) {
      if (!indices.add(backend.index())) {
        throw new IllegalArgumentException(
            PREFIX + "BACKENDS lists index " + backend.index() + " twice");
      }
    }
  }

  /** Mutable until {@link #build}, which validates everything at once. Defaults live here only. */
  public static final class Builder {
    private String cluster = "local";
    private String bindAddress = "0.0.0.0";
    private int port = 8000;
    private int managementPort = 9000;
    private List<Backend> backends = List.of();
    private Duration healthCheckInterval = Duration.ofMillis(1000);
    private Duration healthCheckTimeout = Duration.ofMillis(800);
    private int healthCheckErrorThreshold = 3;
    private Duration connectTimeout = Duration.ofMillis(2000);
    private int maxRequestHeadBytes = 16 * 1024;
    private Duration requestHeadTimeout = Duration.ofSeconds(10);
    private int ioThreads = Runtime.getRuntime().availableProcessors();
    // Netty's defaults: small, so one fast side can never queue much for a slow one.
    private int writeBufferLowBytes = 32 * 1024;
    private int writeBufferHighBytes = 64 * 1024;

    private Builder() {}

    public Builder cluster(String v) {
      cluster = v;
      return this;
    }

    public Builder bindAddress(String v) {
      bindAddress = v;
      return this;
    }

    public Builder port(int v) {
      port = v;
      return this;
    }

    public Builder managementPort(int v) {
      managementPort = v;
      return this;
    }

    public Builder backends(List<Backend> v) {
      backends = List.copyOf(v);
      return this;
    }

    public Builder healthCheckInterval(Duration v) {
      healthCheckInterval = v;
      return this;
    }

    public Builder healthCheckTimeout(Duration v) {
      healthCheckTimeout = v;
      return this;
    }

    public Builder healthCheckErrorThreshold(int v) {
      healthCheckErrorThreshold = v;
      return this;
    }

    public Builder connectTimeout(Duration v) {
      connectTimeout = v;
      return this;
    }

    public Builder maxRequestHeadBytes(int v) {
      maxRequestHeadBytes = v;
      return this;
    }

    public Builder requestHeadTimeout(Duration v) {
      requestHeadTimeout = v;
      return this;
    }

    public Builder ioThreads(int v) {
      ioThreads = v;
      return this;
    }

    public Builder writeBufferLowBytes(int v) {
      writeBufferLowBytes = v;
      return this;
    }

    public Builder writeBufferHighBytes(int v) {
      writeBufferHighBytes = v;
      return this;
    }

    public BalancerConfig build() {
      require(cluster != null && !cluster.isBlank(), "CLUSTER", "must not be blank");
      require(bindAddress != null && !bindAddress.isBlank(), "BIND_ADDRESS", "must not be blank");
      requirePort("PORT", port);
      requirePort("MANAGEMENT_PORT", managementPort);
      require(
          port == 0 || port != managementPort,
          "MANAGEMENT_PORT",
          "must differ from ODIN_BALANCER_PORT (" + port + ")");
      checkBackends(backends);
      requirePositive("HEALTH_CHECK_INTERVAL_MS", healthCheckInterval);
      requirePositive("HEALTH_CHECK_TIMEOUT_MS", healthCheckTimeout);
      require(
          healthCheckErrorThreshold >= 1,
          "HEALTH_CHECK_ERROR_THRESHOLD",
          "must be >= 1, was " + healthCheckErrorThreshold);
      requirePositive("CONNECT_TIMEOUT_MS", connectTimeout);
      requirePositive("REQUEST_HEAD_TIMEOUT_MS", requestHeadTimeout);
      require(
          maxRequestHeadBytes >= 256 && maxRequestHeadBytes <= 1024 * 1024,
          "MAX_REQUEST_HEAD_BYTES",
          "must be between 256 and 1048576, was " + maxRequestHeadBytes);
      require(ioThreads >= 1, "IO_THREADS", "must be >= 1, was " + ioThreads);
      require(
          writeBufferLowBytes >= 1, "WRITE_BUFFER_LOW_BYTES", "must be >= 1, was " + writeBufferLowBytes);
      require(
          writeBufferHighBytes >= writeBufferLowBytes,
          "WRITE_BUFFER_HIGH_BYTES",
          "must be >= ODIN_BALANCER_WRITE_BUFFER_LOW_BYTES (" + writeBufferLowBytes + "), was "
              + writeBufferHighBytes);
      return new BalancerConfig(this);
    }

    private static void requirePort(String name, int value) {
      require(value >= 0 && value <= 65535, name, "must be between 0 and 65535, was " + value);
    }

    private static void requirePositive(String name, Duration value) {
      require(
          value != null && !value.isNegative() && !value.isZero(),
          name,
          "must be a positive number of milliseconds, was " + (value == null ? null : value.toMillis()));
    }

    private static void require(boolean ok, String name, String problem) {
      if (!ok) {
        throw new IllegalArgumentException(PREFIX + name + " " + problem);
      }
    }
  }

  /** Turns raw setting strings into typed builder calls, naming the variable when a value does not parse. */
  private record Reader(Map<String, String> settings, Set<String> known) {

    <T> void read(String suffix, Function<String, T> parse, java.util.function.Consumer<T> into) {
      String name = PREFIX + suffix;
      known.add(name);
      String raw = settings.get(name);
      if (raw == null) {
        return;
      }
      try {
        into.accept(parse.apply(raw.strip()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
      }
    }

    void readInt(String suffix, java.util.function.IntConsumer into) {
      read(suffix, Reader::parseInt, into::accept);
    }

    void readMillis(String suffix, java.util.function.Consumer<Duration> into) {
      read(suffix, raw -> Duration.ofMillis(parseInt(raw)), into);
    }

    private static Integer parseInt(String raw) {
      try {
        return Integer.valueOf(raw);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + raw + "' is not an integer");
      }
    }
  }
}
