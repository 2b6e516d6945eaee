package dev.odin.ws.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RequestHeadDecoderTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final BalancerMetrics metrics = new BalancerMetrics(registry, "test");

  private EmbeddedChannel channel(int maxHeadBytes) {
    return new EmbeddedChannel(new RequestHeadDecoder(maxHeadBytes, Duration.ofSeconds(5), metrics));
  }

  private static ByteBuf ascii(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
  }

  private double rejected(Rejection r) {
    return registry.get("balancer.connections.rejected").tag("reason", r.tag()).counter().count();
  }

  @Test
  void emitsTheHeadThenPassesTheFollowingBytesThroughUntouchedAndLeavesThePipeline() {
    EmbeddedChannel ch = channel(1024);
    assertTrue(ch.writeInbound(ascii("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\nAFTER")));

    RequestHead head = assertInstanceOf(RequestHead.class, ch.readInbound());
    assertEquals("GET", head.method());
    assertEquals("/ws", head.target());
    assertEquals(java.util.List.of("websocket"), head.values("upgrade"));
    ByteBuf rest = ch.readInbound();
    try {
      assertEquals("AFTER", rest.toString(StandardCharsets.ISO_8859_1));
    } finally {
      rest.release();
    }
    assertNull(ch.pipeline().get(RequestHeadDecoder.class));
    assertNull(ch.readOutbound());
    assertFalse(ch.finish());
  }

  @Test
  void waitsForAHeadThatArrivesInPieces() {
    EmbeddedChannel ch = channel(1024);
    assertFalse(ch.writeInbound(ascii("GET /ws HTTP/1.1\r\n")));
    assertFalse(ch.writeInbound(ascii("Host: a\r\n\r")));
    assertTrue(ch.writeInbound(ascii("\n")));

    RequestHead head = assertInstanceOf(RequestHead.class, ch.readInbound());
    assertEquals(java.util.List.of("a"), head.values("Host"));
    assertNull(ch.readInbound());
    assertFalse(ch.finish());
  }

  @Test
  void ignoresEmptyLinesBeforeTheRequestLine() {
    EmbeddedChannel ch = channel(1024);
    assertTrue(ch.writeInbound(ascii("\r\n\r\nGET / HTTP/1.0\r\n\r\n")));

    RequestHead head = assertInstanceOf(RequestHead.class, ch.readInbound());
    assertEquals("HTTP/1.0", head.version());
    assertFalse(ch.finish());
  }

  static Stream<Arguments> badHeads() {
    return Stream.of(
        Arguments.of("too large", "GET /ws HTTP/1.1\r\nX-Big: " + "x".repeat(300), Rejection.HEAD_TOO_LARGE),
        Arguments.of("malformed request line", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", Rejection.BAD_REQUEST),
        Arguments.of("obsolete line folding", "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", Rejection.BAD_REQUEST));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badHeads")
  void answersABadHeadWithItsStatusCountsItAndCloses(String why, String head, Rejection expected) {
    EmbeddedChannel ch = channel(256);
    assertFalse(ch.writeInbound(ascii(head)));

    assertTrue(EmbeddedBuffers.readText(ch).startsWith("HTTP/1.1 " + expected.status() + " "));
    assertFalse(ch.isOpen());
    assertEquals(1.0, rejected(expected));
    assertNull(ch.readInbound());
    assertFalse(ch.finish());
  }

  @Test
  void answers408WhenTheHeadDoesNotArriveInTime() {
    EmbeddedChannel ch = channel(1024);
    ch.freezeTime();
    assertFalse(ch.writeInbound(ascii("GET /ws HTTP/1.1\r\n")));
    ch.advanceTimeBy(4, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertNull(ch.readOutbound());

    ch.advanceTimeBy(2, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();

    assertTrue(EmbeddedBuffers.readText(ch).startsWith("HTTP/1.1 408 "));
    assertFalse(ch.isOpen());
    assertEquals(1.0, rejected(Rejection.HEAD_TIMEOUT));
    assertFalse(ch.finish());
  }

  @Test
  void aCompleteHeadCancelsTheTimeout() {
    EmbeddedChannel ch = channel(1024);
    ch.freezeTime();
    assertTrue(ch.writeInbound(ascii("GET / HTTP/1.1\r\n\r\n")));
    assertInstanceOf(RequestHead.class, ch.readInbound());

    ch.advanceTimeBy(10, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();

    assertNull(ch.readOutbound());
    assertTrue(ch.isOpen());
    assertEquals(0.0, rejected(Rejection.HEAD_TIMEOUT));
    assertFalse(ch.finish());
  }
}
