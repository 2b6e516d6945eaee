package dev.odin.ws.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameReaderTest {
  private final List<String> events = new ArrayList<>();
  private final FrameReader.Listener listener = new FrameReader.Listener() {
    @Override
    public void onText(ByteBuf buf, int start, int length) {
      events.add("text:" + buf.toString(start, length, StandardCharsets.UTF_8));
    }

    @Override
    public void onPing(ByteBuf buf, int start, int length) {
      events.add("ping:" + buf.toString(start, length, StandardCharsets.UTF_8));
    }

    @Override
    public void onClose(int code) {
      events.add("close:" + code);
    }

    @Override
    public void onOther(int opcode) {
      events.add("other:" + opcode);
    }
  };

  private static void frame(ByteArrayOutputStream out, int opcode, byte[] payload) {
    out.write(0x80 | opcode);
    if (payload.length <= 125) {
      out.write(payload.length);
    } else if (payload.length <= 0xFFFF) {
      out.write(126);
      out.write(payload.length >> 8);
      out.write(payload.length & 0xff);
    } else {
      out.write(127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        out.write((int) ((long) payload.length >> shift) & 0xff);
      }
    }
    out.writeBytes(payload);
  }

  private static byte[] stream() {
    return stream(true);
  }

  private static byte[] stream(boolean large) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    frame(out, 1, "hello".getBytes(StandardCharsets.UTF_8));
    frame(out, 9, "p".getBytes(StandardCharsets.UTF_8));
    frame(out, 1, "x".repeat(300).getBytes(StandardCharsets.UTF_8));
    if (large) {
      frame(out, 1, "y".repeat(70_000).getBytes(StandardCharsets.UTF_8));
    }
    frame(out, 2, new byte[] {1});
    frame(out, 8, new byte[] {0x03, (byte) 0xE9});
    return out.toByteArray();
  }

  private static final List<String> EXPECTED = List.of("text:hello", "ping:p", "text:" + "x".repeat(300),
      "text:" + "y".repeat(70_000), "other:2", "close:1001");

  @Test
  void readsFramesDeliveredInOneRead() {
    FrameReader reader = new FrameReader();
    reader.read(Unpooled.wrappedBuffer(stream()), listener);
    assertThat(events).isEqualTo(EXPECTED);
    reader.release();
  }

  @Test
  void readsTheSameFramesWhateverTheReadBoundaries() {
    for (int chunk : new int[] {1, 3, 61, 1000, 4096}) {
      // Tiny reads over the small frames only: every split point of every header, without 70,000 reads.
      byte[] all = stream(chunk >= 61);
      List<String> expected = new ArrayList<>(EXPECTED);
      if (chunk < 61) {
        expected.remove(3);
      }
      events.clear();
      FrameReader reader = new FrameReader();
      for (int i = 0; i < all.length; i += chunk) {
        ByteBuf piece = Unpooled.buffer(chunk);
        piece.writeBytes(all, i, Math.min(chunk, all.length - i));
        reader.read(piece, listener);
      }
      assertThat(events).as("chunks of %d bytes", chunk).isEqualTo(expected);
      reader.release();
    }
  }

  @Test
  void keepsOnlyTheCutFrameBetweenReadsNotTheReadsBuffer() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] payload = "z".repeat(190).getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < 400; i++) {
      frame(out, 1, payload);
    }
    byte[] all = out.toByteArray(); // 400 frames of 192 bytes
    FrameReader reader = new FrameReader();
    int cut = 64 * 1024 + 7; // reads of 64 KB that end inside a frame, as a busy socket's reads do
    for (int i = 0; i < all.length; i += cut) {
      ByteBuf read = Unpooled.buffer(cut);
      read.writeBytes(all, i, Math.min(cut, all.length - i));
      reader.read(read, listener);
      if (i + cut < all.length) {
        assertThat(reader.heldBytes()).as("held after a read of 64 KB").isPositive().isLessThanOrEqualTo(512);
      }
    }
    assertThat(events).hasSize(400).allMatch(e -> e.equals("text:" + "z".repeat(190)));
    assertThat(reader.heldBytes()).isZero();
  }
}
