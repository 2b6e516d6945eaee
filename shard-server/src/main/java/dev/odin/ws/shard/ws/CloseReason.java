package dev.odin.ws.shard.ws;

/** Why the shard closed a client, as the {@code reason} label of {@code ws_connections_closed_total}. */
public enum CloseReason {
  CLIENT("client", 1000),
  DRAIN("drain", 1012),
  /** The WsCluster was deleted: the cluster itself is going away. */
  GOING_AWAY("going_away", 1001),
  SHED("shed", 1012),
  SHUTDOWN("shutdown", 1012),
  SLOW_CLIENT("slow_client", 4008),
  IDLE("idle", 1000),
  POLICY("policy", 1008),
  FRAME_TOO_BIG("frame_too_big", 1009),
  PROTOCOL_ERROR("protocol_error", 1002),
  INVALID_TEXT("invalid_text", 1007),
  UNAUTHORIZED("unauthorized", 4001),
  TOKEN_EXPIRED("token_expired", 4004),
  ERROR("error", 1011);

  private final String label;
  private final int code;

  CloseReason(String label, int code) {
    this.label = label;
    this.code = code;
  }

  public String label() {
    return label;
  }

  /** The WebSocket close code the client sees. */
  public int code() {
    return code;
  }
}
