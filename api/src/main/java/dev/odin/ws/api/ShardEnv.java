package dev.odin.ws.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The {@code ODIN_WS_*} environment of a shard (docs/shard-server.md), rendered from a WsCluster: the single
 * mapping used by the operator's StatefulSet and by local mode.
 */
public final class ShardEnv {
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();
  /**
   * The shard's JVM flags, a JVM argument file on this module's classpath: the single source. The shard image
   * carries the same file as {@code /opt/odin-ws/jvm.args} and its entry point passes it to {@code java}; local
   * mode reads it through {@link #jvmFlags}. Each flag's reason is written beside it in the file.
   */
  public static final String JVM_FLAGS_RESOURCE = "shard-image/jvm.args";

  /** Known to JDK 17.0.9, 21.0.1, 22 and later only; an older JVM refuses to start with it. */
  static final String NATIVE_HEAP_TRIM_FLAG = "-XX:TrimNativeHeapInterval=";

  /** The flags of {@link #JVM_FLAGS_RESOURCE} that {@code runtime} accepts, in the file's order. */
  public static List<String> jvmFlags(Runtime.Version runtime) {
    int feature = runtime.feature();
    boolean trims = feature >= 22 || feature == 21 && runtime.update() >= 1 || feature == 17 && runtime.update() >= 9;
    return jvmFlagsFile().stream().filter(flag -> trims || !flag.startsWith(NATIVE_HEAP_TRIM_FLAG)).toList();
  }

  /** Every flag of {@link #JVM_FLAGS_RESOURCE}. */
  public static List<String> jvmFlagsFile() {
    try (InputStream in = ShardEnv.class.getResourceAsStream(JVM_FLAGS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(JVM_FLAGS_RESOURCE + " is missing from the classpath");
      }
      return parseArgumentFile(new String(in.readAllBytes(), StandardCharsets.UTF_8), JVM_FLAGS_RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Whitespace-separated arguments, {@code #} to the end of a line a comment, as the {@code java} launcher reads an
   * argument file. Quotes and backslashes, which the launcher would interpret, are refused rather than read
   * differently from it.
   */
  static List<String> parseArgumentFile(String text, String name) {
    List<String> args = new ArrayList<>();
    for (String line : text.split("\n")) {
      int comment = line.indexOf('#');
      String content = comment < 0 ? line : line.substring(0, comment);
      for (String arg : content.trim().split("\\s+")) {
        if (arg.isEmpty()) {
          continue;
        }
        if (arg.matches(".*[\"'\\\\].*")) {
          throw new IllegalArgumentException(name + ": quotes and backslashes are not supported, got " + arg);
        }
        args.add(arg);
      }
    }
    return List.copyOf(args);
  }

  public static final String CLUSTER = "ODIN_WS_CLUSTER";
  public static final String SHARD_INDEX = "ODIN_WS_SHARD_INDEX";
  public static final String KAFKA_BOOTSTRAP_SERVERS = "ODIN_WS_KAFKA_BOOTSTRAP_SERVERS";
  public static final String KAFKA_TOPICS = "ODIN_WS_KAFKA_TOPICS";
  public static final String KAFKA_CONSUMER_GROUP_PREFIX = "ODIN_WS_KAFKA_CONSUMER_GROUP_PREFIX";
  public static final String KAFKA_PROPERTIES_FILE = "ODIN_WS_KAFKA_PROPERTIES_FILE";
  public static final String PORT = "ODIN_WS_PORT";
  public static final String MANAGEMENT_PORT = "ODIN_WS_MANAGEMENT_PORT";
  public static final String MAX_CONNECTIONS = "ODIN_WS_MAX_CONNECTIONS";
  public static final String DRAIN_SECONDS = "ODIN_WS_DRAIN_SECONDS";
  public static final String AUTH_MODE = "ODIN_WS_AUTH_MODE";
  public static final String AUTH_ANONYMOUS = "ODIN_WS_AUTH_ANONYMOUS";
  public static final String AUTH_KEY_FILE = "ODIN_WS_AUTH_KEY_FILE";
  public static final String AUTH_ALGORITHMS = "ODIN_WS_AUTH_ALGORITHMS";
  public static final String AUTH_ISSUER = "ODIN_WS_AUTH_ISSUER";
  public static final String AUTH_AUDIENCE = "ODIN_WS_AUTH_AUDIENCE";
  public static final String AUTH_CLOCK_SKEW_SECONDS = "ODIN_WS_AUTH_CLOCK_SKEW_SECONDS";
  public static final String AUTH_REFRESH_GRACE_SECONDS = "ODIN_WS_AUTH_REFRESH_GRACE_SECONDS";
  public static final String AUTH_CHANNELS = "ODIN_WS_AUTH_CHANNELS";
  public static final String ALLOWED_ORIGINS = "ODIN_WS_ALLOWED_ORIGINS";
  public static final String MANAGEMENT_TOKEN_FILE = "ODIN_WS_MANAGEMENT_TOKEN_FILE";

  /** Where the operator mounts {@code kafka.secretRef} in a shard pod. */
  public static final String KAFKA_PROPERTIES_DIR = "/etc/odin-ws/kafka";
  /** Where the operator mounts {@code auth.jwt.keySecretRef} in a shard pod. */
  public static final String AUTH_KEYS_DIR = "/etc/odin-ws/auth";
  /** Where the operator mounts its management-token Secret in a shard pod; the file is {@value #MANAGEMENT_TOKEN_KEY}. */
  public static final String MANAGEMENT_TOKEN_DIR = "/etc/odin-ws/management";
  public static final String MANAGEMENT_TOKEN_KEY = "token";

  public static final int WS_PORT = 8080;
  public static final int ADMIN_PORT = 9090;

  private ShardEnv() {}

  /**
   * Everything but the shard index, in a stable order. In Kubernetes the index comes from the pod; local mode uses
   * {@link #forShard}.
   */
  public static Map<String, String> common(WsCluster cr) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put(CLUSTER, cr.getMetadata().getName());
    env.put(KAFKA_BOOTSTRAP_SERVERS, cr.getSpec().getKafka().getBootstrapServers());
    env.put(KAFKA_TOPICS, topics(cr));
    env.put(KAFKA_CONSUMER_GROUP_PREFIX, WsClusterDefaults.consumerGroupPrefix(cr));
    WsClusterDefaults.secretRef(cr)
        .ifPresent(ref -> env.put(KAFKA_PROPERTIES_FILE, KAFKA_PROPERTIES_DIR + "/" + WsClusterDefaults.secretKey(ref)));
    env.put(PORT, Integer.toString(WS_PORT));
    env.put(MANAGEMENT_PORT, Integer.toString(ADMIN_PORT));
    WsClusterDefaults.maxConnectionsPerShard(cr).ifPresent(n -> env.put(MAX_CONNECTIONS, Integer.toString(n)));
    env.put(DRAIN_SECONDS, Integer.toString(WsClusterDefaults.drainSeconds(cr)));
    env.putAll(auth(cr));
    env.put(MANAGEMENT_TOKEN_FILE, MANAGEMENT_TOKEN_DIR + "/" + MANAGEMENT_TOKEN_KEY);
    return env;
  }

  /**
   * The {@code ODIN_WS_AUTH_*} and {@code ODIN_WS_ALLOWED_ORIGINS} variables of {@code spec.auth}. The key file is the
   * mounted Secret's; local mode replaces it with {@code jwt.keyFile}.
   */
  static Map<String, String> auth(WsCluster cr) {
    Map<String, String> env = new LinkedHashMap<>();
    AuthSpec auth = cr.getSpec().getAuth();
    env.put(AUTH_MODE, WsClusterDefaults.authMode(cr).name());
    if (auth != null && auth.getAllowedOrigins() != null && !auth.getAllowedOrigins().isEmpty()) {
      env.put(ALLOWED_ORIGINS, String.join(",", auth.getAllowedOrigins()));
    }
    if (WsClusterDefaults.authMode(cr) != AuthSpec.Mode.JWT) {
      return env;
    }
    env.put(AUTH_ANONYMOUS, Boolean.toString(Boolean.TRUE.equals(auth.getAnonymous())));
    WsClusterDefaults.authKeySecretRef(cr)
        .ifPresent(ref -> env.put(AUTH_KEY_FILE, AUTH_KEYS_DIR + "/" + WsClusterDefaults.authKey(ref)));
    JwtSpec jwt = auth.getJwt() == null ? new JwtSpec() : auth.getJwt();
    if (jwt.getAlgorithms() != null && !jwt.getAlgorithms().isEmpty()) {
      env.put(AUTH_ALGORITHMS, jwt.getAlgorithms().stream().map(Enum::name).collect(Collectors.joining(",")));
    }
    if (jwt.getIssuer() != null) {
      env.put(AUTH_ISSUER, jwt.getIssuer());
    }
    if (jwt.getAudience() != null) {
      env.put(AUTH_AUDIENCE, jwt.getAudience());
    }
    if (jwt.getClockSkewSeconds() != null) {
      env.put(AUTH_CLOCK_SKEW_SECONDS, jwt.getClockSkewSeconds().toString());
    }
    if (auth.getRefreshGraceSeconds() != null) {
      env.put(AUTH_REFRESH_GRACE_SECONDS, auth.getRefreshGraceSeconds().toString());
    }
    List<Map<String, String>> rules = new ArrayList<>();
    for (ChannelRuleSpec rule : auth.getChannels() == null ? List.<ChannelRuleSpec>of() : auth.getChannels()) {
      Map<String, String> r = new LinkedHashMap<>();
      r.put("prefix", rule.getPrefix() == null ? "" : rule.getPrefix());
      r.put("access", rule.getAccess() == null ? "" : rule.getAccess().name());
      rules.add(r);
    }
    try {
      env.put(AUTH_CHANNELS, JSON.writeValueAsString(rules));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return env;
  }

  /** The full environment of shard {@code index}. */
  public static Map<String, String> forShard(WsCluster cr, int index) {
    Map<String, String> env = common(cr);
    env.put(SHARD_INDEX, Integer.toString(index));
    return env;
  }

  /** {@code topic=channelTemplate,...}, the format of {@value #KAFKA_TOPICS}. */
  public static String topics(WsCluster cr) {
    return WsClusterDefaults.topics(cr).stream()
        .map(t -> t.getName() + "=" + WsClusterDefaults.channel(t))
        .collect(Collectors.joining(","));
  }
}
