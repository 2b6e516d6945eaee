package dev.odin.ws.balancer;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;

/** The client-side pipeline: read the request head, then connect and relay. */
final class ProxyInitializer extends ChannelInitializer<Channel> {

  private final BackendPool pool;
  private final BalancerMetrics metrics;
  private final BalancerConfig config;
  private final Transport transport;

  ProxyInitializer(
      BackendPool pool, BalancerMetrics metrics, BalancerConfig config, Transport transport) {
    this.pool = pool;
    this.metrics = metrics;
    this.config = config;
    this.transport = transport;
  }

  @Override
  protected void initChannel(Channel ch) {
    ch.pipeline()
        .addLast(
            "head",
            new RequestHeadDecoder(
                config.maxRequestHeadBytes(), config.requestHeadTimeout(), metrics))
        .addLast(
            "proxy", new ProxyFrontendHandler(pool, metrics, config, transport.socketChannel()));
  }
}
