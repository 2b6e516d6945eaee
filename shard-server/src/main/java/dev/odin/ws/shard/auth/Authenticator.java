package dev.odin.ws.shard.auth;

import dev.odin.ws.shard.metrics.ShardMetrics;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shard-wide half of authentication: the settings, the token verifier, the channel rules and the Origin check,
 * and the two counters. {@link ConnectionAuth} is the per-connection half.
 */
public final class Authenticator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Authenticator.class);

  private final AuthConfig config;
  private final TokenVerifier verifier;
  private final OriginCheck origins;
  private final ShardMetrics metrics;
  private final long handshakeTimeoutMillis;

  public Authenticator(AuthConfig config, Duration handshakeTimeout, ShardMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
    this.handshakeTimeoutMillis = handshakeTimeout.toMillis();
    this.origins = new OriginCheck(config.allowedOrigins());
    this.verifier = config.enabled() ? new TokenVerifier(config) : null;
    for (AuthFailure failure : AuthFailure.values()) {
      metrics.declare("auth_failure", failure.label());
    }
    for (Refusal refusal : Refusal.values()) {
      metrics.declare("subscription_refused", refusal.label());
    }
    if (!config.enabled()) {
      log.warn("AUTHENTICATION IS OFF ({}=None): any client that reaches this shard may subscribe to any channel. "
          + "Use it for local demos only; set spec.auth.mode: JWT.", AuthConfig.MODE);
    }
    if (config.managementTokenFile() == null) {
      log.warn("{} is not set: POST /drain and /shed on the management port need no token",
          AuthConfig.MANAGEMENT_TOKEN_FILE);
    }
  }

  public AuthConfig config() {
    return config;
  }

  /** Whether connections need a token (mode JWT). */
  public boolean enabled() {
    return config.enabled();
  }

  /** Whether the upgrade needs a look before the handshake: an Origin list or a token to read from headers. */
  public boolean gatesUpgrade() {
    return enabled() || !config.allowedOrigins().isEmpty();
  }

  /** The state of one new connection; null when authentication is off (no cost per connection). */
  public ConnectionAuth newConnection() {
    return enabled() ? new ConnectionAuth(this) : null;
  }

  boolean originAllowed(String origin) {
    return origins.allows(origin);
  }

  TokenVerifier.Result verify(String token) {
    return verifier.verify(token, System.currentTimeMillis());
  }

  boolean anonymousAllowed() {
    return config.anonymous();
  }

  long handshakeTimeoutMillis() {
    return handshakeTimeoutMillis;
  }

  long refreshGraceMillis() {
    return config.refreshGrace().toMillis();
  }

  long clockSkewMillis() {
    return config.clockSkew().toMillis();
  }

  ChannelRules rules() {
    return config.channels();
  }

  void failed(AuthFailure failure) {
    metrics.authFailure(failure.label());
  }

  void refused(Refusal refusal, int channels) {
    metrics.subscriptionsRefused(refusal.label(), channels);
  }

  @Override
  public void close() {
    if (verifier != null) {
      verifier.close();
    }
  }
}
