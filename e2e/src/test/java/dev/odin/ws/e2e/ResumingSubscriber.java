package dev.odin.ws.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odin.ws.shard.testing.WsClient;
import dev.odin.ws.shard.testing.WsClients;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A WebSocket client that behaves as the project's client SDK does, on one channel: after a close with 1012 (drain,
 * rollout) or 4008, or a lost connection (a killed shard), it reconnects after a jittered delay to a shard the
 * balancer picks and resumes with {@code since} = the last position it saw; 1001 (the cluster goes away) ends it.
 * It keeps every seq it received, across its connections, and every close code it got.
 */
final class ResumingSubscriber {
  private final String channel;
  private final WsClients clients;
  private final Supplier<URI> balancer;
  private final ScheduledExecutorService timer;
  private final List<Integer> seqs = new ArrayList<>();
  private final List<Integer> closeCodes = new ArrayList<>();
  private final List<Boolean> recovered = new ArrayList<>();
  private volatile WsClient current;
  private volatile URI currentShard;
  private String lastPosition;
  private volatile boolean finished;
  private final io.netty.handler.codec.http.HttpHeaders upgradeHeaders;

  ResumingSubscriber(String channel, WsClients clients, Supplier<URI> balancer, String bearerToken,
      ScheduledExecutorService timer) {
    this.upgradeHeaders = new io.netty.handler.codec.http.DefaultHttpHeaders()
        .set(io.netty.handler.codec.http.HttpHeaderNames.AUTHORIZATION, "Bearer " + bearerToken);
    this.channel = channel;
    this.clients = clients;
    this.balancer = balancer;
    this.timer = timer;
  }

  String channel() {
    return channel;
  }

  /** Connects to the shard the balancer picks and subscribes (with {@code since} once it has a position). */
  void connect() {
    URI shard = balancer.get();
    if (shard == null) {
      retryLater();
      return;
    }
    clients.connectAsync(shard, upgradeHeaders, null).whenComplete((client, failure) -> {
      if (failure != null) {
        retryLater(); // refused (draining, full) or the shard is gone: another try, maybe elsewhere
        return;
      }
      current = client;
      currentShard = shard;
      String since;
      synchronized (this) {
        since = lastPosition == null ? "" : ",\"since\":{\"" + channel + "\":\"" + lastPosition + "\"}";
      }
      client.sendAsync("{\"type\":\"subscribe\",\"channels\":[\"" + channel + "\"]" + since + "}");
      client.closeCode().thenAccept(code -> closed(client, code));
    });
  }

  private void closed(WsClient client, int code) {
    harvest(client);
    synchronized (this) {
      closeCodes.add(code);
    }
    current = null;
    currentShard = null;
    if (code == 1001) {
      finished = true;
    } else if (!finished) {
      retryLater();
    }
  }

  private void retryLater() {
    if (!finished) {
      timer.schedule(this::connect, ThreadLocalRandom.current().nextLong(50, 1_000), TimeUnit.MILLISECONDS);
    }
  }

  /** Takes what a finished connection received (every frame before its close was read first). */
  private synchronized void harvest(WsClient client) {
    for (JsonNode message : client.messages()) {
      switch (message.path("type").asText()) {
        case "message" -> {
          seqs.add(message.path("data").path("seq").asInt());
          lastPosition = message.path("position").asText();
        }
        case "subscribed" -> {
          JsonNode r = message.path("recovered").path(channel);
          if (!r.isMissingNode()) {
            recovered.add(r.asBoolean());
          }
        }
        default -> { }
      }
    }
  }

  /** Every seq received so far, over every connection, in the order received. */
  synchronized List<Integer> seqs() {
    List<Integer> out = new ArrayList<>(seqs);
    WsClient open = current;
    if (open != null) {
      open.messages("message").forEach(m -> out.add(m.path("data").path("seq").asInt()));
    }
    return out;
  }

  synchronized List<Integer> closeCodes() {
    return List.copyOf(closeCodes);
  }

  /** The {@code recovered} flag of every resume (a subscribe with {@code since}). */
  synchronized List<Boolean> recovered() {
    return List.copyOf(recovered);
  }

  /** The shard this subscriber is connected to now, or null between connections. */
  URI shard() {
    return currentShard;
  }

  boolean connected() {
    WsClient open = current;
    return open != null && open.isOpen() && !open.messages("subscribed").isEmpty();
  }

  /** Stops reconnecting (the test is over). */
  void finish() {
    finished = true;
  }
}
