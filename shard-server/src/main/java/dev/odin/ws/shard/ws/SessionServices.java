package dev.odin.ws.shard.ws;

import dev.odin.ws.shard.ShardState;
import dev.odin.ws.shard.auth.Authenticator;
import dev.odin.ws.shard.config.ShardServerConfig;
import dev.odin.ws.shard.fanout.FanOut;
import dev.odin.ws.shard.kafka.ReplayService;
import dev.odin.ws.shard.metrics.ShardMetrics;

/** What every client session shares: one reference per session instead of one per service. */
public record SessionServices(
    ShardState state, FanOut fanOut, ReplayService replay, ShardMetrics metrics, ClientSessions sessions,
    Authenticator auth) {
  public ShardServerConfig config() {
    return state.config();
  }
}
