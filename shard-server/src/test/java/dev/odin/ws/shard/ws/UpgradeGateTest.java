package dev.odin.ws.shard.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.odin.ws.shard.ShardState;
import dev.odin.ws.shard.config.ShardServerConfig;
import dev.odin.ws.shard.kafka.ConsumerStatus;
import dev.odin.ws.shard.metrics.ShardMetrics;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UpgradeGateTest {
  private final ShardServerConfig config = ShardServerConfig.fromEnvironment(Map.of(
      "ODIN_WS_KAFKA_BOOTSTRAP_SERVERS", "k:9092", "ODIN_WS_KAFKA_TOPICS", "t", "ODIN_WS_SHARD_INDEX", "0",
      "ODIN_WS_MAX_CONNECTIONS", "1"));
  private final ShardState state = new ShardState(config, new ConsumerStatus() {
    @Override public int assignedPartitions() { return 1; }
    @Override public long lag() { return 0; }
    @Override public boolean brokerReachable() { return true; }
  });
  private final ShardMetrics metrics = new ShardMetrics("test", 0);

  private static FullHttpRequest upgrade(String uri) {
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    request.headers().set(HttpHeaderNames.UPGRADE, "websocket").set(HttpHeaderNames.CONNECTION, "Upgrade");
    return request;
  }

  private int statusFor(FullHttpRequest request) {
    EmbeddedChannel channel = new EmbeddedChannel(new UpgradeGate(state, metrics));
    channel.writeInbound(request);
    FullHttpResponse response = channel.readOutbound();
    try {
      return response.status().code();
    } finally {
      response.release();
      assertFalse(channel.finish());
    }
  }

  @Test
  void wrongPathIs404AndPlainGetIs400() {
    assertThat(statusFor(upgrade("/chat"))).isEqualTo(404);
    assertThat(statusFor(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/ws"))).isEqualTo(400);
  }

  @Test
  void anAdmittedUpgradePassesThroughAndTheNextOneFindsTheShardFull() {
    EmbeddedChannel admitted = new EmbeddedChannel(new UpgradeGate(state, metrics));
    admitted.writeInbound(upgrade("/ws?token=x"));
    FullHttpRequest passed = admitted.readInbound();
    assertThat(passed.uri()).isEqualTo("/ws?token=x");
    passed.release();
    assertThat(admitted.pipeline().get(UpgradeGate.class)).as("the gate removes itself").isNull();

    assertThat(statusFor(upgrade("/ws"))).isEqualTo(503);
    assertThat(state.readiness().reason()).startsWith("full");
    assertFalse(admitted.finish());
    assertThat(state.full()).as("closing the admitted channel frees its slot").isFalse();
  }

  @Test
  void aDrainingShardRefusesUpgradesWith503() {
    state.startDraining();
    assertThat(statusFor(upgrade("/ws"))).isEqualTo(503);
    assertThat(metrics.scrape()).contains("reason=\"draining\"");
  }
}
