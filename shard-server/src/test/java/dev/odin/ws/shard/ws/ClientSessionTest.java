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
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
  private final ClientSessions sessions = new ClientSessions(List.of(channel.eventLoop()));

  private EmbeddedChannel session() {
    channel.pipeline().addLast(new ClientSession(new SessionServices(new ShardState(config, CAUGHT_UP), fanOut,
        new dev.odin.ws.shard.kafka.ReplayService(config, new dev.odin.ws.shard.kafka.TopicIds(),
            new dev.odin.ws.shard.kafka.ChannelFeeds(), metrics), metrics,
        sessions, new dev.odin.ws.shard.auth.Authenticator(config.auth(), config.handshakeTimeout(), metrics))));
    channel.pipeline().fireUserEventTriggered(new HandshakeComplete("/ws", new DefaultHttpHeaders(), null));
    return channel;
  }

  private ServerFrame next() {
    ByteBuf bytes = channel.readOutbound();
    assertThat(bytes).as("a frame was written").isNotNull();
    return ServerFrame.read(bytes);
  }

  private JsonNode reply() throws Exception {
    ServerFrame frame = next();
    assertThat(frame.opcode()).isEqualTo(ClientFrames.TEXT);
    return JSON.readTree(frame.text());
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
  void authAndRefreshAreUnknownTypesWhereAuthenticationIsOff() throws Exception {
    session().writeInbound(new TextWebSocketFrame("{\"type\":\"auth\",\"token\":\"x\",\"id\":1}"));
    JsonNode auth = reply();
    assertThat(auth.path("code").asText()).isEqualTo("unknown_type");
    assertThat(auth.path("id").asInt()).isEqualTo(1);
    channel.writeInbound(new TextWebSocketFrame("{\"type\":\"refresh\",\"token\":\"x\",\"id\":2}"));
    assertThat(reply().path("code").asText()).isEqualTo("unknown_type");
    channel.writeInbound(new TextWebSocketFrame("{\"type\":\"subscribe\",\"channels\":[\"anything#1\"]}"));
    assertThat(reply().path("type").asText()).as("mode None allows every channel").isEqualTo("subscribed");
    assertFalse(channel.finish());
  }

  @Test
  void aSlowSubscriberIsClosedWith4008AndUnsubscribedAtOnce() throws Exception {
    session().writeInbound(new TextWebSocketFrame("{\"type\":\"subscribe\",\"channels\":[\"a\"]}"));
    reply();
    ClientSession session = channel.pipeline().get(ClientSession.class);
    session.fellBehind();
    session.fellBehind();
    ServerFrame close = next();
    assertThat(close.closeCode()).isEqualTo(4008);
    assertThat(fanOut.hasSubscribers("a")).isFalse();
    assertThat(metrics.scrape()).contains("ws_slow_clients_disconnected_total{cluster=\"test\",shard=\"0\"} 1.0");
    assertThat(channel.isOpen()).isFalse();
    assertFalse(channel.finish());
  }

  @Test
  void aTextMessageSentInFragmentsIsJoinedAndAnswered() throws Exception {
    session().writeInbound(new TextWebSocketFrame(false, 0, "{\"type\":\"subscr"));
    assertThat((Object) channel.readOutbound()).as("no reply before the last fragment").isNull();
    channel.writeInbound(new ContinuationWebSocketFrame(false, 0, "ibe\",\"channels\""));
    channel.writeInbound(new ContinuationWebSocketFrame(true, 0, ":[\"a\"],\"id\":3}"));
    JsonNode reply = reply();
    assertThat(reply.path("type").asText()).isEqualTo("subscribed");
    assertThat(reply.path("id").asInt()).isEqualTo(3);
    assertThat(fanOut.hasSubscribers("a")).isTrue();
    assertFalse(channel.finish());
  }

  @Test
  void fragmentsAddingUpToMoreThanTheFrameLimitCloseWith1009() {
    session().writeInbound(new TextWebSocketFrame(false, 0, "x".repeat(config.maxFrameBytes() - 10)));
    channel.writeInbound(new ContinuationWebSocketFrame(true, 0, "y".repeat(20)));
    ServerFrame close = next();
    assertThat(close.closeCode()).isEqualTo(1009);
    assertThat(channel.isOpen()).isFalse();
    assertThat(metrics.scrape()).contains("reason=\"frame_too_big\"");
    assertFalse(channel.finish());
  }

  @Test
  void textThatIsNotUtf8ClosesWith1007() {
    session().writeInbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {'{', (byte) 0xC3, (byte) 0x28})));
    ServerFrame close = next();
    assertThat(close.closeCode()).isEqualTo(1007);
    assertThat(channel.isOpen()).isFalse();
    assertFalse(channel.finish());
  }

  @Test
  void aPingFrameIsAnsweredWithAPongCarryingTheSamePayload() {
    session().writeInbound(new PingWebSocketFrame(Unpooled.copiedBuffer("hb-1", StandardCharsets.UTF_8)));
    ServerFrame pong = next();
    assertThat(pong.opcode()).isEqualTo(ClientFrames.PONG);
    assertThat(pong.text()).isEqualTo("hb-1");
    assertFalse(channel.finish());
  }

  @Test
  void theClientsCloseFrameIsAnsweredWithItsCodeAndItsSubscriptionsEndAtOnce() throws Exception {
    session().writeInbound(new TextWebSocketFrame("{\"type\":\"subscribe\",\"channels\":[\"a\"]}"));
    reply();
    channel.writeInbound(new CloseWebSocketFrame(1001, "tab closed"));
    ServerFrame answer = next();
    assertThat(answer.closeCode()).isEqualTo(1001);
    assertThat(fanOut.hasSubscribers("a")).isFalse();
    assertThat(channel.isOpen()).isFalse();
    assertThat(metrics.scrape()).contains("ws_connections_closed_total{cluster=\"test\",reason=\"client\",shard=\"0\"} 1.0");
    assertFalse(channel.finish());
  }

  @Test
  void theSweepPingsAQuietClientAndClosesOneQuietPastTheIdleTimeout() {
    session();
    ClientSession session = channel.pipeline().get(ClientSession.class);
    long start = System.nanoTime();
    session.checkIdle(start + config.pingInterval().toNanos() / 4);
    assertThat((Object) channel.readOutbound()).as("nothing before half the ping interval").isNull();
    session.checkIdle(start + config.pingInterval().toNanos() + 1_000_000);
    ServerFrame ping = next();
    assertThat(ping.opcode()).isEqualTo(ClientFrames.PING);
    session.checkIdle(start + config.pingInterval().toNanos() + 2_000_000);
    assertThat((Object) channel.readOutbound()).as("one ping per interval, not one per sweep").isNull();
    session.checkIdle(start + config.idleTimeout().toNanos() + 1_000_000);
    ServerFrame close = next();
    assertThat(close.closeCode()).isEqualTo(1000);
    assertThat(close.closeReason()).isEqualTo("idle timeout");
    assertThat(channel.isOpen()).isFalse();
    assertFalse(channel.finish());
  }

  @Test
  void anEstablishedSessionIsListedForDrainsUntilItsConnectionEnds() {
    session();
    ClientSession session = channel.pipeline().get(ClientSession.class);
    CompletableFuture<List<ClientSession>> listed = sessions.snapshot();
    channel.runPendingTasks();
    assertThat(listed.join()).containsExactly(session);
    channel.close();
    CompletableFuture<List<ClientSession>> after = sessions.snapshot();
    channel.runPendingTasks();
    assertThat(after.join()).isEmpty();
    assertFalse(channel.finish());
  }

  @Test
  void aRequestWhoseBytesArriveInThreeReadsIsAnsweredOnce() throws Exception {
    ByteBuf wire = ClientFramesTest.clientText("{\"type\":\"subscribe\",\"channels\":[\"a\"],\"id\":1}");
    session().writeInbound(wire.readRetainedSlice(1));
    channel.writeInbound(wire.readRetainedSlice(20));
    assertThat((Object) channel.readOutbound()).isNull();
    channel.writeInbound(wire);
    assertThat(reply().path("type").asText()).isEqualTo("subscribed");
    assertThat((Object) channel.readOutbound()).isNull();
    assertFalse(channel.finish());
  }

  @Test
  void anUnmaskedFrameClosesWith1002AndNothingAfterItIsRead() {
    ByteBuf unmasked = Unpooled.buffer().writeByte(0x81).writeByte(2).writeBytes("{}".getBytes(StandardCharsets.UTF_8));
    session().writeInbound(Unpooled.wrappedBuffer(unmasked, ClientFramesTest.clientText("{\"type\":\"ping\"}")));
    ServerFrame close = next();
    assertThat(close.closeCode()).isEqualTo(1002);
    assertThat(close.closeReason()).isEqualTo("client frames must be masked");
    assertThat((Object) channel.readOutbound()).as("the ping after the broken frame is not answered").isNull();
    assertThat(metrics.scrape()).contains("reason=\"protocol_error\"");
    assertFalse(channel.finish());
  }
}
