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
  INVALID_POSITION("invalid_position");

  private final String code;

  ErrorCode(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
