package dev.odin.ws.shard.ws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.Collection;
import java.util.Map;

/** The server's control replies of the client protocol (DESIGN.md §4). */
final class Replies {
  static final ObjectMapper JSON = new ObjectMapper();

  private Replies() {}

  static TextWebSocketFrame subscribed(Collection<String> channels, Map<String, Boolean> recovered, JsonNode id) {
    ObjectNode reply = base("subscribed", id);
    ArrayNode list = reply.putArray("channels");
    channels.forEach(list::add);
    if (!recovered.isEmpty()) {
      ObjectNode flags = reply.putObject("recovered");
      recovered.forEach(flags::put);
    }
    return frame(reply);
  }

  static TextWebSocketFrame unsubscribed(Collection<String> channels, JsonNode id) {
    ObjectNode reply = base("unsubscribed", id);
    ArrayNode list = reply.putArray("channels");
    channels.forEach(list::add);
    return frame(reply);
  }

  /** A token was accepted: whose it is and when it expires (ms), so a client can plan its refresh. */
  static TextWebSocketFrame authenticated(String user, long expiresAtMillis, JsonNode id) {
    ObjectNode reply = base("authenticated", id);
    reply.put("user", user);
    reply.put("expiresAt", expiresAtMillis);
    return frame(reply);
  }

  /** Subscriptions the server ended: a refreshed token no longer allows them. */
  static TextWebSocketFrame revoked(Collection<String> channels) {
    ObjectNode reply = base("unsubscribed", null);
    ArrayNode list = reply.putArray("channels");
    channels.forEach(list::add);
    reply.put("reason", ErrorCode.FORBIDDEN.code());
    return frame(reply);
  }

  /** Names the shard, so a client can show which one it is on (the balancer hides it). */
  static TextWebSocketFrame pong(JsonNode id, int shardIndex) {
    ObjectNode reply = base("pong", id);
    reply.put("ts", System.currentTimeMillis());
    reply.put("shard", shardIndex);
    return frame(reply);
  }

  static TextWebSocketFrame error(ErrorCode code, String message, JsonNode id) {
    ObjectNode reply = base("error", id);
    reply.put("code", code.code());
    reply.put("message", message);
    return frame(reply);
  }

  private static ObjectNode base(String type, JsonNode id) {
    ObjectNode node = JSON.createObjectNode();
    node.put("type", type);
    if (id != null && !id.isNull() && !id.isMissingNode()) {
      node.set("id", id);
    }
    return node;
  }

  private static TextWebSocketFrame frame(ObjectNode node) {
    return new TextWebSocketFrame(node.toString());
  }
}
