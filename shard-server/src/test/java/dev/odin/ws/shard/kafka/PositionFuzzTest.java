package dev.odin.ws.shard.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Coverage-guided fuzzing of the position parser (what a client sends back in {@code since}): any string parses to
 * nothing or to a position that encodes back to a string parsing to the same position, never an exception.
 */
class PositionFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void anyStringIsAPositionThatRoundTripsOrNothing(byte[] input) {
    Optional<Position> parsed = Position.parse(new String(input, StandardCharsets.UTF_8));
    parsed.ifPresent(p -> {
      assertThat(p.partition()).isNotNegative();
      assertThat(p.offset()).isNotNegative();
      assertThat(Position.parse(p.encode())).contains(p);
    });
  }
}
