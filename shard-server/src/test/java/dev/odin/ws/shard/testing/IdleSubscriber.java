package dev.odin.ws.shard.testing;

import dev.odin.ws.shard.fanout.ChannelFrames;
import dev.odin.ws.shard.fanout.Subscriber;

/** A subscriber that takes nothing: it only makes a channel wanted, so that the consumer encodes its records. */
public final class IdleSubscriber implements Subscriber {
  @Override
  public boolean isWritable() {
    return true;
  }

  @Override
  public boolean writeFrames(ChannelFrames frames) {
    return false;
  }

  @Override
  public boolean markForFlush() {
    return false;
  }

  @Override
  public void flush() {}

  @Override
  public void fellBehind() {}
}
