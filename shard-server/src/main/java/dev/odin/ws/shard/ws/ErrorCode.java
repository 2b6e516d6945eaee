package dev.odin.ws.shard.ws;

/** The stable {@code code} values of error replies; clients may switch on them. */
public enum ErrorCode {
  MALFORMED_JSON("malformed_json"),
  INVALID_MESSAGE("invalid_message"),
  UNKNOWN_TYPE("unknown_type"),
  BINARY_NOT_SUPPORTED("binary_not_supported"),
  TOO_MANY_SUBSCRIPTIONS("too_many_subscriptions"),
  INVALID_CHANNEL("invalid_channel"),
  RATE_LIMITED("rate_limited"),
  INVALID_POSITION("invalid_position"),
  /** A subscription the channel rules do not allow this connection; the whole request is refused. */
  FORBIDDEN("forbidden"),
  /** A refresh token that does not verify, or names another user; the connection keeps its current token. */
  UNAUTHORIZED("unauthorized"),
  /** The connection's token expired: send {@code refresh} within the grace period, or it is closed with 4004. */
  TOKEN_EXPIRED("token_expired");

  private final String code;

  ErrorCode(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
