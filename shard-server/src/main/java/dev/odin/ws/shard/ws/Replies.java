package dev.odin.ws.shard.ws;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.odin.ws.shard.json.JsonValue;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.io.IOException;
import java.util.Collection;
import java.util.Map;

/** The server's control replies of the client protocol (DESIGN.md §4). */
final class Replies {
  private Replies() {}

  static TextWebSocketFrame subscribed(Collection<String> channels, Map<String, Boolean> recovered, JsonValue id) {
    return reply("subscribed", id, out -> {
      writeChannels(out, channels);
      if (!recovered.isEmpty()) {
        out.writeObjectFieldStart("recovered");
        for (Map.Entry<String, Boolean> flag : recovered.entrySet()) {
          out.writeBooleanField(flag.getKey(), flag.getValue());
        }
        out.writeEndObject();
      }
    });
  }

  static TextWebSocketFrame unsubscribed(Collection<String> channels, JsonValue id) {
    return reply("unsubscribed", id, out -> writeChannels(out, channels));
  }

  /** A token was accepted: whose it is and when it expires (ms), so a client can plan its refresh. */
  static TextWebSocketFrame authenticated(String user, long expiresAtMillis, JsonValue id) {
    return reply("authenticated", id, out -> {
      out.writeStringField("user", user);
      out.writeNumberField("expiresAt", expiresAtMillis);
    });
  }

  /** Subscriptions the server ended: a refreshed token no longer allows them. */
  static TextWebSocketFrame revoked(Collection<String> channels) {
    return reply("unsubscribed", null, out -> {
      writeChannels(out, channels);
      out.writeStringField("reason", ErrorCode.FORBIDDEN.code());
    });
  }

  /** Names the shard, so a client can show which one it is on (the balancer hides it). */
  static TextWebSocketFrame pong(JsonValue id, int shardIndex) {
    return reply("pong", id, out -> {
      out.writeNumberField("ts", System.currentTimeMillis());
      out.writeNumberField("shard", shardIndex);
    });
  }

  static TextWebSocketFrame error(ErrorCode code, String message, JsonValue id) {
    return reply("error", id, out -> {
      out.writeStringField("code", code.code());
      out.writeStringField("message", message);
    });
  }

  /** {"type": type, "id": the request's id when it had one, then the reply's own fields}. */
  private static TextWebSocketFrame reply(String type, JsonValue id, JsonValue.Writing fields) {
    return new TextWebSocketFrame(JsonValue.write(out -> {
      out.writeStartObject();
      out.writeStringField("type", type);
      if (id != null && !id.isNull()) {
        out.writeFieldName("id");
        id.writeTo(out);
      }
      fields.writeTo(out);
      out.writeEndObject();
    }));
  }

  private static void writeChannels(JsonGenerator out, Collection<String> channels) throws IOException {
    out.writeArrayFieldStart("channels");
    for (String channel : channels) {
      out.writeString(channel);
    }
    out.writeEndArray();
  }
}
