package dev.odin.ws.shard.ws;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.epoll.EpollSocketChannel;
import java.io.IOException;

/**
 * The fan-out's shortcut to the socket. A delivery to a connection with nothing queued is one write(2) of the
 * shared frame bytes, with no duplicate buffer, no outbound-buffer entry and no flush through the pipeline;
 * only what the kernel does not take at once is queued the usual way, behind which Netty waits for the socket
 * to become writable. Ordering holds because the shortcut is taken only when nothing else is queued.
 */
final class SocketWrites {
  /** Not tried: another transport, a heap buffer, or bytes already queued on the channel. */
  static final int NOT_TRIED = -1;

  private SocketWrites() {}

  /** Called on the channel's event loop. Returns the bytes written at once (maybe 0), or {@link #NOT_TRIED}. */
  static int tryWrite(Channel channel, ByteBuf bytes) {
    if (!(channel instanceof EpollSocketChannel epoll) || !bytes.hasMemoryAddress() || !channel.isActive()) {
      return NOT_TRIED;
    }
    ChannelOutboundBuffer queued = channel.unsafe().outboundBuffer();
    if (queued == null || queued.totalPendingWriteBytes() != 0) {
      return NOT_TRIED;
    }
    try {
      return epoll.fd().writeAddress(bytes.memoryAddress(), bytes.readerIndex(), bytes.writerIndex());
    } catch (IOException e) {
      return NOT_TRIED; // the usual path meets the same error and closes the channel the usual way
    }
  }
}
