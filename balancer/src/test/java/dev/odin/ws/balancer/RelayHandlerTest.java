package dev.odin.ws.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Two embedded channels joined by a pair of relays, as the proxy joins a client and a backend. */
class RelayHandlerTest {

  private final EmbeddedChannel client = new EmbeddedChannel();
  private final EmbeddedChannel backend = new EmbeddedChannel(new RelayHandler(client));

  RelayHandlerTest() {
    client.pipeline().addLast(new RelayHandler(backend));
    client.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
  }

  /** Closing the client closes the backend too, after the empty flush marker that closeOnFlush writes. */
  private void finishClientThenBackend() {
    assertFalse(client.finish());
    assertFalse(backend.isOpen());
    ByteBuf marker = backend.readOutbound();
    assertEquals(0, marker.readableBytes());
    marker.release();
    assertFalse(backend.finish());
  }

  @Test
  void copiesBytesBothWaysUnchanged() {
    client.writeInbound(Unpooled.copiedBuffer("up", StandardCharsets.US_ASCII));
    backend.writeInbound(Unpooled.copiedBuffer("down", StandardCharsets.US_ASCII));

    assertEquals("up", EmbeddedBuffers.readText(backend));
    assertEquals("down", EmbeddedBuffers.readText(client));
    finishClientThenBackend();
  }

  @Test
  void stopsReadingWhileThePeerIsUnwritableAndResumesOnceItDrains() {
    // Read without the read-complete that flushes: the bytes sit in the client's outbound buffer.
    backend.pipeline().fireChannelRead(Unpooled.buffer(32).writeZero(32));

    assertFalse(client.isWritable());
    assertFalse(backend.config().isAutoRead());

    backend.pipeline().fireChannelReadComplete();

    assertTrue(client.isWritable());
    assertTrue(backend.config().isAutoRead());
    ByteBuf relayed = client.readOutbound();
    assertEquals(32, relayed.readableBytes());
    relayed.release();
    finishClientThenBackend();
  }

  @Test
  void closingOneSideClosesTheOtherAfterWhatIsQueuedForIt() {
    backend.writeInbound(Unpooled.copiedBuffer("last words", StandardCharsets.US_ASCII));

    backend.close();

    assertFalse(client.isOpen());
    assertEquals("last words", EmbeddedBuffers.readText(client));
    ByteBuf empty = client.readOutbound(); // the empty buffer closeOnFlush writes
    assertEquals(0, empty.readableBytes());
    empty.release();
    assertNull(client.readOutbound());
    assertFalse(client.finish());
    assertFalse(backend.finish());
  }
}
