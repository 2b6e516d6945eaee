package dev.odin.ws.shard.fanout;

/** A client connection as the fan-out sees it. Every method is called on the connection's event loop. */
public interface Subscriber {
  /** True while the connection's outbound buffer is below its high water mark. */
  boolean isWritable();

  /**
   * Writes or queues the frames of the channel owed to this subscriber. The subscriber takes its own reference
   * ({@code retainedDuplicate} or {@code retainedSlice}) of what it queues; the rollout keeps its own.
   *
   * @return true when something was queued and waits for {@link #flush}
   */
  boolean writeFrames(ChannelFrames frames);

  /** Marks the connection as written in the current slice of visits; false when it already was. */
  boolean markForFlush();

  /** Flushes what this slice wrote and clears the mark. */
  void flush();

  /** The connection fell behind: it is closed with 4008 and gets nothing more. */
  void fellBehind();
}
