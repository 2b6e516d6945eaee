package dev.odin.ws.shard.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.ws.shard.ShardState;
import dev.odin.ws.shard.config.ShardServerConfig;
import dev.odin.ws.shard.fanout.FanOut;
import dev.odin.ws.shard.kafka.ConsumerStatus;
import dev.odin.ws.shard.metrics.ShardMetrics;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The session handler alone in an EmbeddedChannel: requests in, replies out, nothing leaked. */
class ClientSessionTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ConsumerStatus CAUGHT_UP = new ConsumerStatus() {
    @Override public int assignedPartitions() { return 1; }
    @Override public long lag() { return 0; }
    @Override public boolean brokerReachable() { return true; }
  };

  private final ShardServerConfig config = ShardServerConfig.fromEnvironment(Map.of(
      "ODIN_WS_KAFKA_BOOTSTRAP_SERVERS", "k:9092", "ODIN_WS_KAFKA_TOPICS", "t", "ODIN_WS_SHARD_INDEX", "0",
      "ODIN_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION", "2"));
  private final ShardMetrics metrics = new ShardMetrics("test", 0);
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final FanOut fanOut = new FanOut(List.of(channel.eventLoop()), metrics);

  private EmbeddedChannel session() {
    channel.pipeline().addLast(new ClientSession(new ShardState(config, CAUGHT_UP), fanOut,
        new dev.odin.ws.shard.kafka.ReplayService(config, new dev.odin.ws.shard.kafka.TopicIds(), metrics), metrics));
    channel.pipeline().fireUserEventTriggered(new HandshakeComplete("/ws", new DefaultHttpHeaders(), null));
    return channel;
  }

  private JsonNode reply() throws Exception {
    TextWebSocketFrame frame = channel.readOutbound();
    try {
      return JSON.readTree(frame.text());
    } finally {
      frame.release();
    }
  }

  @Test
  void subscribeRegistersTheChannelAndRepliesWithTheIdEchoed() throws Exception {
    session().writeInbound(new TextWebSocketFrame("{\"type\":\"subscribe\",\"channels\":[\"a\",\"a\",\"b\"],\"id\":9}"));
    JsonNode reply = reply();
    assertThat(reply.path("type").asText()).isEqualTo("subscribed");
    assertThat(reply.path("channels").toString()).isEqualTo("[\"a\",\"b\"]");
    assertThat(reply.path("id").asInt()).isEqualTo(9);
    assertThat(fanOut.hasSubscribers("a")).isTrue();
    assertThat(fanOut.subscriptions()).isEqualTo(2);
    assertFalse(channel.finish());
    assertThat(fanOut.subscriptions()).as("closing the channel drops its subscriptions").isZero();
  }

  @Test
  void aSlowSubscriberIsClosedWith4008AndUnsubscribedAtOnce() throws Exception {
    session().writeInbound(new TextWebSocketFrame("{\"type\":\"subscribe\",\"channels\":[\"a\"]}"));
    reply();
    ClientSession session = channel.pipeline().get(ClientSession.class);
    session.fellBehind();
    session.fellBehind();
    CloseWebSocketFrame close = channel.readOutbound();
    assertThat(close.statusCode()).isEqualTo(4008);
    close.release();
    assertThat(fanOut.hasSubscribers("a")).isFalse();
    assertThat(metrics.scrape()).contains("ws_slow_clients_disconnected_total{cluster=\"test\",shard=\"0\"} 1.0");
    assertThat(channel.isOpen()).isFalse();
    assertFalse(channel.finish());
  }
}
