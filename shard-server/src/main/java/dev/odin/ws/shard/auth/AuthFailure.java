package dev.odin.ws.shard.auth;

/**
 * Why a connection was not authenticated: the {@code reason} label of {@code ws_auth_failures_total} and the start of
 * what the client reads in its close frame or error. Never a token, a user or a claim value.
 */
public enum AuthFailure {
  /** No token on the upgrade and no {@code auth} message first, where anonymous connections are not admitted. */
  MISSING_TOKEN("missing_token", "no token"),
  /** No {@code auth} message within the handshake timeout after the upgrade. */
  TIMEOUT("timeout", "no auth message in time"),
  /** Not a signed JWT (three base64url parts; unsigned and encrypted tokens are refused). */
  MALFORMED("malformed", "not a signed JWT"),
  /** The signature does not verify with any configured key of an accepted algorithm. */
  BAD_SIGNATURE("bad_signature", "signature does not verify"),
  /** {@code exp} has passed. */
  EXPIRED("expired", "token expired"),
  /** {@code nbf} is still ahead. */
  NOT_YET_VALID("not_yet_valid", "token not valid yet (nbf)"),
  /** {@code iss} is not the configured issuer. */
  WRONG_ISSUER("wrong_issuer", "wrong issuer (iss)"),
  /** {@code aud} does not name the configured audience. */
  WRONG_AUDIENCE("wrong_audience", "wrong audience (aud)"),
  /** No {@code sub} or {@code exp}, or a {@code channels} claim that is not a list of names. */
  INVALID_CLAIMS("invalid_claims", "missing or invalid claims"),
  /** A refreshed token names another user than the connection's. */
  OTHER_USER("other_user", "refreshed token names another user"),
  /** The upgrade came from an Origin that {@code spec.auth.allowedOrigins} does not list. */
  ORIGIN("origin", "origin not allowed");

  private final String label;
  private final String summary;

  AuthFailure(String label, String summary) {
    this.label = label;
    this.summary = summary;
  }

  public String label() {
    return label;
  }

  /** A few words for a close frame's reason (at most 123 bytes in all) or an error message. */
  public String summary() {
    return summary;
  }
}
