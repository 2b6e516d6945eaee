package dev.odin.ws.shard.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameEncoderTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final FrameEncoder encoder = new FrameEncoder();

  /** Decodes the bytes with Netty's own client-side frame decoder, as a browser would read them. */
  private static List<JsonNode> decode(ByteBuf frames) throws Exception {
    EmbeddedChannel client = new EmbeddedChannel(new WebSocket13FrameDecoder(
        WebSocketDecoderConfig.newBuilder().expectMaskedFrames(false).maxFramePayloadLength(1 << 20).build()));
    client.writeInbound(frames);
    List<JsonNode> messages = new ArrayList<>();
    for (Object frame = client.readInbound(); frame != null; frame = client.readInbound()) {
      TextWebSocketFrame text = (TextWebSocketFrame) frame;
      messages.add(JSON.readTree(text.text()));
      text.release();
    }
    assertFalse(client.finish());
    return messages;
  }

  private List<JsonNode> encode(String channel, String value) throws Exception {
    ByteBuf out = Unpooled.buffer();
    encoder.appendFrame(out, channel, "id:0:5", 1700000000000L,
        value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    return decode(out);
  }

  @Test
  void jsonValuesAreEmbeddedAsJsonAndEverythingElseAsAString() throws Exception {
    JsonNode message = encode("BTC.trade", "{\"price\":42.5}").get(0);
    assertThat(message.path("type").asText()).isEqualTo("message");
    assertThat(message.path("channel").asText()).isEqualTo("BTC.trade");
    assertThat(message.path("position").asText()).isEqualTo("id:0:5");
    assertThat(message.path("ts").asLong()).isEqualTo(1700000000000L);
    assertThat(message.path("data").path("price").asDouble()).isEqualTo(42.5);
    assertThat(encode("c", "[1,2]").get(0).path("data").isArray()).isTrue();
    assertThat(encode("c", "17").get(0).path("data").asInt()).isEqualTo(17);
    assertThat(encode("c", "hello world").get(0).path("data").asText()).isEqualTo("hello world");
    assertThat(encode("c", "{\"a\":1} {\"b\":2}").get(0).path("data").asText()).isEqualTo("{\"a\":1} {\"b\":2}");
    assertThat(encode("c", "{broken").get(0).path("data").asText()).isEqualTo("{broken");
    assertThat(encode("c", null).get(0).path("data").isNull()).isTrue();
  }

  @Test
  void stringsWithQuotesControlCharactersAndUnicodeSurviveTheRoundTrip() throws Exception {
    String nasty = "quote\" back\\slash \n tab\t bell\u0007 ünïcødé 😀 end";
    JsonNode message = encode("ch\"an\nnel", nasty).get(0);
    assertThat(message.path("channel").asText()).isEqualTo("ch\"an\nnel");
    assertThat(message.path("data").asText()).isEqualTo(nasty);
  }

  @Test
  void framesOfEveryLengthClassAreReadableAndConsecutiveFramesStaySeparate() throws Exception {
    ByteBuf out = Unpooled.buffer();
    String[] values = {"s", "m".repeat(200), "l".repeat(70_000)};
    for (String v : values) {
      encoder.appendFrame(out, "c", "p:0:1", 1L, v.getBytes(StandardCharsets.UTF_8));
    }
    List<JsonNode> decoded = decode(out);
    assertThat(decoded).hasSize(3);
    for (int i = 0; i < values.length; i++) {
      assertThat(decoded.get(i).path("data").asText()).isEqualTo(values[i]);
    }
  }
}
