package dev.odin.ws.shard.auth;

import com.nimbusds.jose.JWSAlgorithm;
import dev.odin.ws.shard.config.ConfigException;
import dev.odin.ws.shard.json.JsonValue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The shard's authentication settings ({@code ODIN_WS_AUTH_*}, {@code ODIN_WS_ALLOWED_ORIGINS},
 * {@code ODIN_WS_MANAGEMENT_TOKEN_FILE}), parsed once at start; a bad value names its variable.
 */
public final class AuthConfig {
  public static final String MODE = "ODIN_WS_AUTH_MODE";
  public static final String ANONYMOUS = "ODIN_WS_AUTH_ANONYMOUS";
  public static final String KEY_FILE = "ODIN_WS_AUTH_KEY_FILE";
  public static final String ALGORITHMS = "ODIN_WS_AUTH_ALGORITHMS";
  public static final String ISSUER = "ODIN_WS_AUTH_ISSUER";
  public static final String AUDIENCE = "ODIN_WS_AUTH_AUDIENCE";
  public static final String CLOCK_SKEW_SECONDS = "ODIN_WS_AUTH_CLOCK_SKEW_SECONDS";
  public static final String REFRESH_GRACE_SECONDS = "ODIN_WS_AUTH_REFRESH_GRACE_SECONDS";
  public static final String CHANNELS = "ODIN_WS_AUTH_CHANNELS";
  public static final String ALLOWED_ORIGINS = "ODIN_WS_ALLOWED_ORIGINS";
  public static final String MANAGEMENT_TOKEN_FILE = "ODIN_WS_MANAGEMENT_TOKEN_FILE";

  static final Set<JWSAlgorithm> SUPPORTED = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.RS256, JWSAlgorithm.ES256);

  /** {@code None}: every connection and subscription is allowed, as before authentication existed. */
  public enum Mode { NONE, JWT }

  private final Mode mode;
  private final boolean anonymous;
  private final Path keyFile;
  private final Set<JWSAlgorithm> algorithms;
  private final String issuer;
  private final String audience;
  private final Duration clockSkew;
  private final Duration refreshGrace;
  private final ChannelRules channels;
  private final List<String> allowedOrigins;
  private final Path managementTokenFile;

  private AuthConfig(Map<String, String> env) {
    mode = mode(value(env, MODE, "None"));
    anonymous = bool(env, ANONYMOUS);
    String key = value(env, KEY_FILE, null);
    keyFile = key == null ? null : Path.of(key);
    algorithms = algorithms(value(env, ALGORITHMS, "HS256,RS256,ES256"));
    issuer = value(env, ISSUER, null);
    audience = value(env, AUDIENCE, null);
    clockSkew = Duration.ofSeconds(seconds(env, CLOCK_SKEW_SECONDS, 30, 0, 600));
    refreshGrace = Duration.ofSeconds(seconds(env, REFRESH_GRACE_SECONDS, 30, 0, 3600));
    channels = channels(value(env, CHANNELS, "[]"));
    allowedOrigins = origins(value(env, ALLOWED_ORIGINS, ""));
    String token = value(env, MANAGEMENT_TOKEN_FILE, null);
    managementTokenFile = token == null ? null : Path.of(token);
    if (mode == Mode.JWT && keyFile == null) {
      throw new ConfigException(KEY_FILE, "is required when " + MODE + " is JWT (an HMAC secret, a PEM public key "
          + "or certificate, or a JWKS file)");
    }
  }

  public static AuthConfig fromEnvironment(Map<String, String> env) {
    return new AuthConfig(env);
  }

  public Mode mode() { return mode; }
  public boolean enabled() { return mode == Mode.JWT; }
  public boolean anonymous() { return anonymous; }
  public Path keyFile() { return keyFile; }
  public Set<JWSAlgorithm> algorithms() { return algorithms; }
  public Optional<String> issuer() { return Optional.ofNullable(issuer); }
  public Optional<String> audience() { return Optional.ofNullable(audience); }
  public Duration clockSkew() { return clockSkew; }
  public Duration refreshGrace() { return refreshGrace; }
  public ChannelRules channels() { return channels; }
  /** Empty: any Origin (and none) may upgrade. */
  public List<String> allowedOrigins() { return allowedOrigins; }
  /** Null: {@code POST /drain} and {@code /shed} need no token (the shard warns at start). */
  public Path managementTokenFile() { return managementTokenFile; }

  @Override
  public String toString() {
    return "auth=" + mode
        + (enabled() ? " anonymous=" + anonymous + " keys=" + keyFile + " algorithms=" + algorithms
            + " issuer=" + issuer + " audience=" + audience + " skew=" + clockSkew + " refreshGrace=" + refreshGrace
            + " channels=" + channels : "")
        + " allowedOrigins=" + (allowedOrigins.isEmpty() ? "any" : allowedOrigins)
        + " managementToken=" + (managementTokenFile == null ? "none" : managementTokenFile);
  }

  private static String value(Map<String, String> env, String name, String fallback) {
    String v = env.get(name);
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  private static Mode mode(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "none" -> Mode.NONE;
      case "jwt" -> Mode.JWT;
      default -> throw new ConfigException(MODE, "'" + value + "' is not JWT or None");
    };
  }

  private static boolean bool(Map<String, String> env, String name) {
    String v = value(env, name, "false");
    if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
      throw new ConfigException(name, "'" + v + "' is not true or false");
    }
    return Boolean.parseBoolean(v);
  }

  private static int seconds(Map<String, String> env, String name, int fallback, int min, int max) {
    String v = value(env, name, null);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw new ConfigException(name, n + " is outside " + min + ".." + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ConfigException(name, "'" + v + "' is not a whole number");
    }
  }

  private static Set<JWSAlgorithm> algorithms(String value) {
    Set<JWSAlgorithm> out = new LinkedHashSet<>();
    for (String name : value.split(",")) {
      if (name.isBlank()) {
        continue;
      }
      JWSAlgorithm alg = JWSAlgorithm.parse(name.trim().toUpperCase(Locale.ROOT));
      if (!SUPPORTED.contains(alg)) {
        throw new ConfigException(ALGORITHMS, "'" + name.trim() + "' is not one of HS256, RS256, ES256");
      }
      out.add(alg);
    }
    if (out.isEmpty()) {
      throw new ConfigException(ALGORITHMS, "names no algorithm");
    }
    return Set.copyOf(out);
  }

  /** A JSON array of {@code {"prefix":"orders","access":"User"}}, as ShardEnv renders {@code spec.auth.channels}. */
  private static ChannelRules channels(String json) {
    JsonValue array;
    try {
      array = JsonValue.parse(json);
    } catch (Exception e) {
      throw new ConfigException(CHANNELS, "is not JSON: " + e.getMessage());
    }
    if (array == null || !array.isArray()) {
      throw new ConfigException(CHANNELS, "must be a JSON array of {\"prefix\":...,\"access\":...}");
    }
    List<ChannelRules.Rule> rules = new ArrayList<>();
    Set<String> prefixes = new LinkedHashSet<>();
    for (JsonValue rule : array.items()) {
      JsonValue prefix = rule.get("prefix");
      JsonValue access = rule.get("access");
      if (prefix == null || !prefix.isTextual() || access == null || !access.isTextual()) {
        throw new ConfigException(CHANNELS,
            "every rule needs a string \"prefix\" and \"access\", got " + rule.toJson());
      }
      Access kind;
      try {
        kind = Access.parse(access.textValue());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(CHANNELS,
            "access '" + access.textValue() + "' is not Public, Authenticated, User or Token");
      }
      if (!prefixes.add(prefix.textValue())) {
        throw new ConfigException(CHANNELS, "prefix \"" + prefix.textValue() + "\" has two rules");
      }
      rules.add(new ChannelRules.Rule(prefix.textValue(), kind));
    }
    return new ChannelRules(rules);
  }

  private static List<String> origins(String value) {
    List<String> out = new ArrayList<>();
    for (String origin : value.split(",")) {
      String trimmed = origin.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      if (!trimmed.equals("null") && !trimmed.matches("(?i)https?://[^/?#\\s]+")) {
        throw new ConfigException(ALLOWED_ORIGINS,
            "'" + trimmed + "' is not an origin (scheme://host[:port], no path), e.g. https://app.example.com");
      }
      out.add(OriginCheck.normalize(trimmed));
    }
    return List.copyOf(out);
  }
}
