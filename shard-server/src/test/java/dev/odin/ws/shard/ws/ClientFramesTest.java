package dev.odin.ws.shard.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Client frames as bytes on the wire (RFC 6455 §5.2): what is read, and what the client is told when it is wrong. */
class ClientFramesTest {
  private static final int MAX = 100_000;
  private static final int MASK = 0x37FA213D;

  /** What the parser handed on. */
  private static final class Recorder implements ClientFrames.Sink {
    final List<String> frames = new ArrayList<>();
    CloseReason reason;
    String text;

    @Override
    public void frame(int opcode, boolean fin, ByteBuf payload) {
      frames.add(opcode + (fin ? "" : "…") + ":" + payload.toString(StandardCharsets.UTF_8));
    }

    @Override
    public void violation(CloseReason reason, String text) {
      this.reason = reason;
      this.text = text;
    }
  }

  /** A client frame: first byte {@code b0} (FIN, RSV, opcode), masked payload, the shortest length form. */
  static ByteBuf clientFrame(int b0, byte[] payload) {
    ByteBuf out = Unpooled.buffer();
    out.writeByte(b0);
    int n = payload.length;
    if (n <= 125) {
      out.writeByte(0x80 | n);
    } else if (n <= 0xFFFF) {
      out.writeByte(0x80 | 126).writeShort(n);
    } else {
      out.writeByte(0x80 | 127).writeLong(n);
    }
    out.writeInt(MASK);
    for (int i = 0; i < n; i++) {
      out.writeByte(payload[i] ^ (MASK >>> (8 * (3 - (i & 3)))));
    }
    return out;
  }

  static ByteBuf clientText(String text) {
    return clientFrame(0x81, text.getBytes(StandardCharsets.UTF_8));
  }

  private static Recorder parse(ByteBuf in, boolean fragmenting) {
    Recorder r = new Recorder();
    try {
      while (in.isReadable() && ClientFrames.next(in, MAX, fragmenting, r) == ClientFrames.Step.FRAME) {
        // each call reads one frame
      }
    } finally {
      in.release();
    }
    return r;
  }

  @Test
  void maskedTextFramesOfEveryLengthFormAreUnmasked() {
    for (int n : new int[] {0, 5, 125, 126, 200, 65_535, 65_536, 70_000}) {
      String text = "x".repeat(Math.max(0, n - 3)) + (n >= 3 ? "abc" : "abc".substring(0, n));
      Recorder r = parse(clientText(text), false);
      assertThat(r.reason).as("length %d", n).isNull();
      assertThat(r.frames).containsExactly("1:" + text);
    }
  }

  @Test
  void aFrameSplitAcrossReadsWaitsForItsRestWithoutConsumingAnything() {
    ByteBuf whole = clientText("{\"type\":\"ping\"}");
    ByteBuf head = whole.readRetainedSlice(7);
    Recorder r = new Recorder();
    assertThat(ClientFrames.next(head, MAX, false, r)).isEqualTo(ClientFrames.Step.NEED_MORE);
    assertThat(head.readerIndex()).isZero();
    head.release();
    ByteBuf joined = Unpooled.buffer().writeBytes(whole.readerIndex(0));
    whole.release();
    assertThat(ClientFrames.next(joined, MAX, false, r)).isEqualTo(ClientFrames.Step.FRAME);
    assertThat(r.frames).containsExactly("1:{\"type\":\"ping\"}");
    joined.release();
  }

  @Test
  void anUnmaskedClientFrameIsAProtocolError() {
    ByteBuf unmasked = Unpooled.buffer().writeByte(0x81).writeByte(2).writeBytes("hi".getBytes(StandardCharsets.UTF_8));
    Recorder r = parse(unmasked, false);
    assertThat(r.reason).isEqualTo(CloseReason.PROTOCOL_ERROR);
    assertThat(r.text).contains("masked");
    assertThat(r.frames).isEmpty();
  }

  @Test
  void reservedBitsAndUnknownOpcodesAreProtocolErrors() {
    assertThat(parse(clientFrame(0xC1, new byte[] {'a'}), false).text).contains("reserved bits");
    assertThat(parse(clientFrame(0x83, new byte[] {'a'}), false).text).contains("unknown opcode 3");
    assertThat(parse(clientFrame(0x8B, new byte[0]), false).text).contains("unknown opcode 11");
  }

  @Test
  void aLengthOverTheLimitIsRefusedFromTheHeaderBeforeThePayloadArrives() {
    ByteBuf header = Unpooled.buffer().writeByte(0x81).writeByte(0x80 | 127).writeLong(MAX + 1L);
    Recorder r = parse(header, false);
    assertThat(r.reason).isEqualTo(CloseReason.FRAME_TOO_BIG);
    assertThat(r.text).isEqualTo("message larger than " + MAX + " bytes");
  }

  @Test
  void controlFramesMustBeWholeAndAtMost125Bytes() {
    assertThat(parse(clientFrame(0x09, new byte[] {'a'}), false).reason).isEqualTo(CloseReason.PROTOCOL_ERROR);
    assertThat(parse(clientFrame(0x89, new byte[126]), false).reason).isEqualTo(CloseReason.PROTOCOL_ERROR);
    assertThat(parse(clientFrame(0x89, "hb".getBytes(StandardCharsets.UTF_8)), false).frames).containsExactly("9:hb");
  }

  @Test
  void aLengthNotInItsShortestFormIsAProtocolError() {
    ByteBuf padded = Unpooled.buffer().writeByte(0x81).writeByte(0x80 | 126).writeShort(5).writeInt(MASK)
        .writeBytes(new byte[5]);
    assertThat(parse(padded, false).text).contains("shortest form");
  }

  @Test
  void fragmentsMustFollowTheirMessageAndNothingElseMayInterleave() {
    assertThat(parse(clientFrame(0x80, new byte[] {'a'}), false).text).contains("continuation frame without a message");
    assertThat(parse(clientFrame(0x81, new byte[] {'a'}), true).text).contains("a new message began inside");
    Recorder ok = parse(Unpooled.wrappedBuffer(clientFrame(0x01, new byte[] {'a'}), clientFrame(0x89, new byte[0])),
        false);
    assertThat(ok.frames).as("a control frame may come between fragments").containsExactly("1…:a", "9:");
  }

  @Test
  void closeFramesWithABadCodeOrReasonAreRefused() {
    assertThat(parse(clientFrame(0x88, new byte[] {3}), false).text).contains("one-byte payload");
    assertThat(parse(clientFrame(0x88, new byte[] {0x03, (byte) 0xED}), false).text).isEqualTo("invalid close code 1005");
    Recorder badReason = parse(clientFrame(0x88, new byte[] {0x03, (byte) 0xE8, (byte) 0xC3, 0x28}), false);
    assertThat(badReason.reason).isEqualTo(CloseReason.INVALID_TEXT);
    Recorder fine = parse(clientFrame(0x88, new byte[] {0x0F, (byte) 0xA0, 'b', 'y', 'e'}), false);
    assertThat(fine.reason).isNull();
    assertThat(fine.frames).hasSize(1);
  }

  @Test
  void serverFramesAreEncodedUnmaskedInTheShortestLengthForm() {
    for (int n : new int[] {0, 125, 126, 65_535, 65_536}) {
      byte[] payload = new byte[n];
      ByteBuf encoded = ClientFrames.encode(ByteBufAllocator.DEFAULT, ClientFrames.TEXT, Unpooled.wrappedBuffer(payload));
      int expectedHeader = n <= 125 ? 2 : n <= 0xFFFF ? 4 : 10;
      assertThat(encoded.readableBytes()).as("length %d", n).isEqualTo(expectedHeader + n);
      ServerFrame frame = ServerFrame.read(encoded);
      assertThat(frame.opcode()).isEqualTo(ClientFrames.TEXT);
      assertThat(frame.fin()).isTrue();
      assertThat(frame.payload()).hasSize(n);
    }
  }
}
