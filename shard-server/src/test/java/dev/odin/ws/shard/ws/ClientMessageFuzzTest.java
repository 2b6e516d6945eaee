package dev.odin.ws.shard.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.ws.shard.ShardState;
import dev.odin.ws.shard.auth.Authenticator;
import dev.odin.ws.shard.config.ShardServerConfig;
import dev.odin.ws.shard.fanout.FanOut;
import dev.odin.ws.shard.kafka.ConsumerStatus;
import dev.odin.ws.shard.kafka.ChannelFeeds;
import dev.odin.ws.shard.kafka.ReplayService;
import dev.odin.ws.shard.kafka.TopicIds;
import dev.odin.ws.shard.metrics.ShardMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Coverage-guided fuzzing of the client-message handler: any text message (two of them, to reach state a first one
 * leaves) through a real session. Whatever it is, the client gets JSON replies with a {@code type}, never an
 * exception, and a message that is valid UTF-8 never closes the connection (only rate and framing abuse do).
 * Seeds: ClientMessageFuzzTestInputs (every request of the protocol, good and bad).
 */
class ClientMessageFuzzTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ConsumerStatus CAUGHT_UP = new ConsumerStatus() {
    @Override public int assignedPartitions() { return 1; }
    @Override public long lag() { return 0; }
    @Override public boolean brokerReachable() { return true; }
  };
  private static final ShardServerConfig CONFIG = ShardServerConfig.fromEnvironment(Map.of(
      "ODIN_WS_KAFKA_BOOTSTRAP_SERVERS", "k:9092", "ODIN_WS_KAFKA_TOPICS", "t", "ODIN_WS_SHARD_INDEX", "0",
      "ODIN_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION", "4", "ODIN_WS_MAX_FRAME_BYTES", "4096"));
  private static final ShardMetrics METRICS = new ShardMetrics("fuzz", 0);
  private static final ReplayService REPLAY = new ReplayService(CONFIG, new TopicIds(), new ChannelFeeds(), METRICS);
  private static final Authenticator AUTH_OFF = new Authenticator(CONFIG.auth(), CONFIG.handshakeTimeout(), METRICS);

  @FuzzTest(maxDuration = "30s")
  void anyTextMessageGetsJsonRepliesAndKeepsTheConnection(byte[] input) throws Exception {
    EmbeddedChannel channel = new EmbeddedChannel();
    FanOut fanOut = new FanOut(List.of(channel.eventLoop()), METRICS);
    ClientSessions sessions = new ClientSessions(List.of(channel.eventLoop()));
    channel.pipeline().addLast(new ClientSession(new SessionServices(new ShardState(CONFIG, CAUGHT_UP), fanOut, REPLAY,
        METRICS, sessions, AUTH_OFF)));
    channel.pipeline().fireUserEventTriggered(new HandshakeComplete("/ws", new DefaultHttpHeaders(), null));
    boolean utf8 = ByteBufUtil.isText(Unpooled.wrappedBuffer(input), StandardCharsets.UTF_8);
    // A second message only where the first left the connection open (found by fuzzing: text that is not UTF-8
    // closes it, and the harness wrote to the closed channel; seed found-not-utf8-then-a-second-message).
    for (int i = 0; i < 2 && channel.isActive(); i++) {
      channel.writeInbound(new TextWebSocketFrame(Unpooled.copiedBuffer(input)));
      channel.runPendingTasks();
    }
    try {
      for (ByteBuf out; (out = channel.readOutbound()) != null; ) {
        ServerFrame frame = ServerFrame.read(out); // releases out
        if (frame.opcode() == ClientFrames.TEXT) {
          JsonNode reply = JSON.readTree(frame.text());
          assertThat(reply.path("type").isTextual()).as("a reply has a type: %s", reply).isTrue();
        } else {
          assertThat(utf8).as("only text that is not UTF-8 closes the connection").isFalse();
        }
      }
      if (utf8 && input.length <= CONFIG.maxFrameBytes()) {
        assertThat(channel.isActive()).as("a bad message never closes the connection").isTrue();
      }
    } finally {
      channel.finishAndReleaseAll();
    }
  }
}
