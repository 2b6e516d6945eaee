package dev.odin.ws.balancer;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

/** The management pipeline: small GET requests only, so a tight aggregation limit. */
final class ManagementInitializer extends ChannelInitializer<Channel> {

  private final ManagementHandler handler;

  ManagementInitializer(ManagementHandler handler) {
    this.handler = handler;
  }

  @Override
  protected void initChannel(Channel ch) {
    ch.pipeline()
        .addLast(new HttpServerCodec())
        .addLast(new HttpObjectAggregator(8192))
        .addLast(handler);
  }
}
