package dev.odin.ws.shard.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;

/** What a resuming client does: keep the last position, send it back in {@code since}. */
public final class Resumes {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private Resumes() {}

  /** The position of the last data frame the client received. */
  public static String lastPosition(WsClient client) {
    List<JsonNode> messages = client.messages("message");
    return messages.get(messages.size() - 1).path("position").asText();
  }

  /** A subscribe to {@code channel} resuming from {@code position}. */
  public static String request(String channel, String position) {
    return "{\"type\":\"subscribe\",\"channels\":[\"" + channel + "\"],\"since\":{\"" + channel + "\":\"" + position
        + "\"}}";
  }

  /** Sends a resume and returns its answer: the {@code subscribed} reply, or an error. */
  public static JsonNode resume(WsClient client, String channel, String position) {
    int before = replies(client).size();
    client.send(request(channel, position));
    Awaitility.await().atMost(WAIT).until(() -> replies(client).size() > before);
    return replies(client).get(before);
  }

  /** Connects to {@code uri} at once (retrying as a client in a reconnect storm does) and resumes {@code channel}. */
  public static CompletableFuture<WsClient> reconnect(WsClients clients, WsClient original, URI uri, String channel) {
    return clients.connectWithRetries(uri, 5).thenApply(again -> {
      again.sendAsync(request(channel, lastPosition(original)));
      return again;
    });
  }

  /** Reconnects and resumes the moment the server closes {@code original}, which must be with {@code code}. */
  public static CompletableFuture<WsClient> reconnectWhenClosed(WsClients clients, WsClient original, int code, URI uri,
      String channel) {
    return original.closeCode().thenCompose(closed -> {
      if (closed != code) {
        throw new AssertionError("closed with " + closed + ", expected " + code);
      }
      return reconnect(clients, original, uri, channel);
    });
  }

  private static List<JsonNode> replies(WsClient client) {
    return client.messages().stream().filter(m -> m.path("type").asText().equals("subscribed")
        || m.path("type").asText().equals("error")).toList();
  }
}
