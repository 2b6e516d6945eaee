package dev.odin.ws.shard.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Coverage-guided fuzzing of the WebSocket frame parser (RFC 6455 §5) with any bytes a client may send: it never
 * throws, each step either reads one whole frame, waits for more without consuming, or reports a violation, and no
 * payload beyond the limit reaches the session. Seeds: ClientFramesFuzzTestInputs. Bounded in time by the test
 * command (shard-server/pom.xml, execution fuzz-frames).
 */
class ClientFramesFuzzTest {
  private static final int MAX_PAYLOAD = 1024;

  @FuzzTest(maxDuration = "30s")
  void anyClientBytesParseIntoFramesAWaitOrAViolation(byte[] input) {
    for (boolean fragmenting : new boolean[] {false, true}) {
      ByteBuf in = Unpooled.copiedBuffer(input);
      try {
        Recording sink = new Recording();
        ClientFrames.Step step = ClientFrames.Step.FRAME;
        while (in.isReadable() && step == ClientFrames.Step.FRAME) {
          int before = in.readerIndex();
          step = ClientFrames.next(in, MAX_PAYLOAD, fragmenting, sink);
          if (step == ClientFrames.Step.FRAME) {
            assertThat(in.readerIndex()).as("a frame consumes bytes").isGreaterThan(before);
          } else if (step == ClientFrames.Step.NEED_MORE) {
            assertThat(in.readerIndex()).as("waiting consumes nothing").isEqualTo(before);
          } else {
            assertThat(sink.violations).as("a broken stream is reported").isPositive();
          }
        }
      } finally {
        in.release();
      }
    }
  }

  private static final class Recording implements ClientFrames.Sink {
    int violations;

    @Override
    public void frame(int opcode, boolean fin, ByteBuf payload) {
      assertThat(payload.readableBytes()).isLessThanOrEqualTo(MAX_PAYLOAD);
      assertThat(opcode).isIn(ClientFrames.CONTINUATION, ClientFrames.TEXT, ClientFrames.BINARY, ClientFrames.CLOSE,
          ClientFrames.PING, ClientFrames.PONG);
      if (opcode >= ClientFrames.CLOSE) {
        assertThat(fin).as("control frames are whole").isTrue();
        assertThat(payload.readableBytes()).isLessThanOrEqualTo(125);
      }
    }

    @Override
    public void violation(CloseReason reason, String text) {
      assertThat(reason.code()).isIn(1002, 1007, 1009);
      assertThat(text).isNotEmpty();
      violations++;
    }
  }
}
