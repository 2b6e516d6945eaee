package dev.odin.ws.shard.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Coverage-guided fuzzing of the position parser (what a client sends back in {@code since}, for a channel): any
 * channel and string parse to nothing or to a position whose text parses again to a position with the same text, never
 * an exception. The input's first byte says how many of the following bytes name the channel.
 */
class PositionFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void anyStringIsAPositionThatRoundTripsOrNothing(byte[] input) {
    int split = input.length == 0 ? 0 : Math.min(input.length - 1, input[0] & 0x1f);
    String channel = new String(input, Math.min(1, input.length), split, StandardCharsets.UTF_8);
    String text = new String(input, Math.min(1 + split, input.length), input.length - Math.min(1 + split,
        input.length), StandardCharsets.UTF_8);
    Optional<Position> parsed = Position.parse(channel, text);
    parsed.ifPresent(p -> {
      assertThat(p.ownPartition()).isNotNegative();
      assertThat(p.ownOffset()).isNotNegative();
      String encoded = p.encode(channel);
      assertThat(Position.parse(channel, encoded).map(again -> again.encode(channel))).contains(encoded);
    });
  }
}
