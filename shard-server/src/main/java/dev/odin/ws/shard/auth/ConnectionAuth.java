package dev.odin.ws.shard.auth;

import java.util.ArrayList;
import java.util.List;

/**
 * One connection's authentication: the token it presented and when it runs out. Touched only on the connection's
 * event loop; its clock is the loop's sweep, so it keeps no timer. Null on every connection when authentication is
 * off.
 *
 * <p>Life: a token on the upgrade is verified before the handshake; after it, a connection without one is anonymous
 * (where allowed) or must send {@code {"type":"auth"}} first, within the handshake timeout. When the token's
 * {@code exp} passes, the client is told and has the refresh grace period to send {@code {"type":"refresh"}};
 * after that it is closed with 4004.
 */
public final class ConnectionAuth {
  private static final byte PENDING = 0;
  private static final byte ANONYMOUS = 1;
  private static final byte AUTHENTICATED = 2;
  private static final byte EXPIRED = 3;

  private final Authenticator shard;
  private TokenVerifier.Result atUpgrade;
  private Identity identity;
  private byte state = PENDING;
  /** PENDING: when the auth message is due; EXPIRED: when the grace period ends. */
  private long deadlineMillis;

  ConnectionAuth(Authenticator shard) {
    this.shard = shard;
  }

  /** What happened to a token the client sent; {@code failure} is null on success. */
  public record Outcome(Kind kind, AuthFailure failure, String detail, Identity identity) {
    /** What the session does with it. */
    public enum Kind {
      /** Reply {@code authenticated}. */
      AUTHENTICATED,
      /** Reply {@code authenticated}, and drop subscriptions the new token no longer allows. */
      REFRESHED,
      /** Close the connection (4001, or 4004 for an expired token). */
      CLOSE,
      /** Reply with an error; the connection keeps its current token. */
      ERROR
    }

    /** Few words for a close reason or an error message: never a token or claim value. */
    public String text() {
      return failure.summary() + (detail == null || detail.isEmpty() ? "" : ": " + detail);
    }
  }

  /** What the sweep found. */
  public enum Tick { NONE, EXPIRING, CLOSE_EXPIRED, CLOSE_TIMEOUT }

  /** The token of the upgrade request, verified before the handshake. */
  void tokenAtUpgrade(String token) {
    atUpgrade = shard.verify(token);
  }

  /** The handshake is done: null when the connection may go on, else why it must be closed. */
  public Outcome established(long nowMillis) {
    if (atUpgrade != null) {
      TokenVerifier.Result result = atUpgrade;
      atUpgrade = null;
      return accept(result, false);
    }
    if (shard.anonymousAllowed()) {
      state = ANONYMOUS;
    } else {
      state = PENDING;
      deadlineMillis = nowMillis + shard.handshakeTimeoutMillis();
    }
    return null;
  }

  /** True until the first token is accepted, where anonymous connections are not admitted. */
  public boolean awaitingToken() {
    return state == PENDING;
  }

  /** A message other than auth came first: the failure to close with. */
  public Outcome notAuthenticated() {
    shard.failed(AuthFailure.MISSING_TOKEN);
    return new Outcome(Outcome.Kind.CLOSE, AuthFailure.MISSING_TOKEN, "send {\"type\":\"auth\"} first", null);
  }

  /** An {@code auth} or {@code refresh} message. */
  public Outcome onToken(String token) {
    return accept(shard.verify(token), state == AUTHENTICATED || state == EXPIRED);
  }

  private Outcome accept(TokenVerifier.Result result, boolean refresh) {
    if (!result.ok()) {
      shard.failed(result.failure());
      return new Outcome(refresh ? Outcome.Kind.ERROR : Outcome.Kind.CLOSE, result.failure(), result.detail(), null);
    }
    Identity verified = result.identity();
    if (refresh && !verified.user().equals(identity.user())) {
      shard.failed(AuthFailure.OTHER_USER);
      return new Outcome(Outcome.Kind.ERROR, AuthFailure.OTHER_USER, "", null);
    }
    identity = verified;
    state = AUTHENTICATED;
    return new Outcome(refresh ? Outcome.Kind.REFRESHED : Outcome.Kind.AUTHENTICATED, null, "", verified);
  }

  /** Called by the loop's sweep. */
  public Tick tick(long nowMillis) {
    switch (state) {
      case PENDING -> {
        if (nowMillis >= deadlineMillis) {
          shard.failed(AuthFailure.TIMEOUT);
          return Tick.CLOSE_TIMEOUT;
        }
      }
      case AUTHENTICATED -> {
        if (nowMillis >= expiresAtMillis()) {
          state = EXPIRED;
          deadlineMillis = nowMillis + shard.refreshGraceMillis();
          return Tick.EXPIRING;
        }
      }
      case EXPIRED -> {
        if (nowMillis >= deadlineMillis) {
          return Tick.CLOSE_EXPIRED;
        }
      }
      default -> { }
    }
    return Tick.NONE;
  }

  /** When the token stops being accepted: its {@code exp} plus the clock skew verification allows. */
  public long expiresAtMillis() {
    return identity.expiresAtMillis() + shard.clockSkewMillis();
  }

  public long graceEndsAtMillis() {
    return deadlineMillis;
  }

  /** The user, or null while anonymous. */
  public String user() {
    return identity == null ? null : identity.user();
  }

  /** Null when the connection may subscribe to every one of {@code channels}, else why the first refused one is not. */
  public Refused check(List<String> channels) {
    for (String channel : channels) {
      Refusal refusal = shard.rules().check(channel, identity);
      if (refusal != null) {
        shard.refused(refusal, channels.size());
        return new Refused(channel, refusal);
      }
    }
    return null;
  }

  /** The channels of {@code subscribed} that the current token no longer allows (after a refresh). */
  public List<String> revoked(List<String> subscribed) {
    List<String> gone = new ArrayList<>();
    for (String channel : subscribed) {
      if (shard.rules().check(channel, identity) != null) {
        gone.add(channel);
      }
    }
    if (!gone.isEmpty()) {
      shard.refused(Refusal.REVOKED, gone.size());
    }
    return gone;
  }

  /** A refused subscription request: the first channel refused, and why. */
  public record Refused(String channel, Refusal refusal) {}
}
