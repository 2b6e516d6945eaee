package dev.odin.ws.shard.ws;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.odin.ws.shard.auth.ConnectionAuth;
import dev.odin.ws.shard.json.JsonValue;
import dev.odin.ws.shard.kafka.Position;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses one client text message and applies it to its session. Every bad message gets an error
 * reply with a stable code; none of them closes the connection or touches other subscriptions.
 */
final class ClientRequestHandler {
  static final int MAX_CHANNEL_LENGTH = 200;

  private final ClientSession session;

  ClientRequestHandler(ClientSession session) {
    this.session = session;
  }

  void handle(String text) {
    JsonValue message;
    try {
      message = JsonValue.parse(text);
    } catch (JsonProcessingException e) {
      session.send(Replies.error(ErrorCode.MALFORMED_JSON, "not valid JSON: " + e.getOriginalMessage(), null));
      return;
    }
    if (message == null || !message.isObject()) {
      session.send(Replies.error(ErrorCode.INVALID_MESSAGE, "a message is a JSON object with a \"type\"", null));
      return;
    }
    JsonValue id = message.get("id");
    JsonValue type = message.get("type");
    if (type == null || !type.isTextual()) {
      session.send(Replies.error(ErrorCode.INVALID_MESSAGE, "missing \"type\"", id));
      return;
    }
    String kind = type.textValue();
    boolean token = kind.equals("auth") || kind.equals("refresh");
    if (!token && session.awaitingToken()) {
      session.notAuthenticated();
      return;
    }
    switch (kind) {
      case "subscribe" -> subscribe(message, id);
      case "unsubscribe" -> unsubscribe(message, id);
      case "ping" -> session.send(Replies.pong(id, session.shardIndex()));
      default -> {
        if (!token || !session.authenticate(message.get("token"), id)) {
          session.send(Replies.error(ErrorCode.UNKNOWN_TYPE,
              "unknown type \"" + truncate(kind) + "\"; expected subscribe, unsubscribe or ping", id));
        }
      }
    }
  }

  private void subscribe(JsonValue message, JsonValue id) {
    List<String> channels = channels(message, id);
    if (channels == null) {
      return;
    }
    ConnectionAuth.Refused refused = session.refusal(channels);
    if (refused != null) {
      session.send(Replies.error(ErrorCode.FORBIDDEN, "channel \"" + truncate(refused.channel()) + "\" "
          + refused.refusal().explanation() + "; none of these were added", id));
      return;
    }
    int added = 0;
    for (String channel : channels) {
      if (!session.isSubscribed(channel)) {
        added++;
      }
    }
    if (session.subscriptionCount() + added > session.maxSubscriptions()) {
      session.send(Replies.error(ErrorCode.TOO_MANY_SUBSCRIPTIONS,
          "at most " + session.maxSubscriptions() + " subscriptions per connection; none of these were added", id));
      return;
    }
    Map<String, Position> positions = new LinkedHashMap<>();
    JsonValue since = message.get("since");
    if (since != null && !since.isNull()) {
      if (!since.isObject()) {
        session.send(Replies.error(ErrorCode.INVALID_MESSAGE, "\"since\" must map channels to positions", id));
        return;
      }
      for (Map.Entry<String, JsonValue> entry : since.fields().entrySet()) {
        if (!channels.contains(entry.getKey())) {
          continue;
        }
        Position position = entry.getValue().isTextual()
            ? Position.parse(entry.getKey(), entry.getValue().textValue()).orElse(null) : null;
        if (position == null) {
          session.send(Replies.error(ErrorCode.INVALID_POSITION,
              "position for \"" + truncate(entry.getKey()) + "\" is not one this cluster issued for that channel", id));
          return;
        }
        positions.put(entry.getKey(), position);
      }
    }
    session.subscribe(channels, positions, id);
  }

  private void unsubscribe(JsonValue message, JsonValue id) {
    List<String> channels = channels(message, id);
    if (channels != null) {
      session.unsubscribe(channels, id);
    }
  }

  /** The message's distinct channel names, or null after replying with the error. */
  private List<String> channels(JsonValue message, JsonValue id) {
    JsonValue array = message.get("channels");
    if (array == null || !array.isArray() || array.items().isEmpty()) {
      session.send(Replies.error(ErrorCode.INVALID_MESSAGE, "\"channels\" must be a non-empty array of strings", id));
      return null;
    }
    Set<String> names = new LinkedHashSet<>();
    for (JsonValue node : array.items()) {
      if (!node.isTextual() || node.textValue().isEmpty() || node.textValue().length() > MAX_CHANNEL_LENGTH) {
        session.send(Replies.error(ErrorCode.INVALID_CHANNEL,
            "a channel is a string of 1 to " + MAX_CHANNEL_LENGTH + " characters", id));
        return null;
      }
      names.add(node.textValue());
      if (names.size() > session.maxSubscriptions()) {
        session.send(Replies.error(ErrorCode.TOO_MANY_SUBSCRIPTIONS,
            "at most " + session.maxSubscriptions() + " subscriptions per connection", id));
        return null;
      }
    }
    return new ArrayList<>(names);
  }

  private static String truncate(String text) {
    return text.length() <= 64 ? text : text.substring(0, 64) + "...";
  }
}
