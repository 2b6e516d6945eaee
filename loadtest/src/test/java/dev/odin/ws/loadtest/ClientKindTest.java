package dev.odin.ws.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which read pause each client kind gets from the flags. */
class ClientKindTest {
  private static Args args(String... flags) {
    return new Args(flags, Set.of(ClientKind.FLAG, "read-pause-us"));
  }

  @Test
  void clientsAreBatchedWithTheDefaultPauseUnlessToldOtherwise() {
    Args none = args();

    assertThat(ClientKind.of(none)).isEqualTo(ClientKind.BATCHED);
    assertThat(ClientKind.BATCHED.readPauseMicros(none)).isEqualTo(Worker.DEFAULT_READ_PAUSE_MICROS);
    assertThat(ClientKind.BATCHED.readPauseMicros(args("--read-pause-us=200"))).isEqualTo(200);
  }

  @Test
  void aPerMessageClientReadsWithoutAPause() {
    Args perMessage = args("--client=per-message");

    assertThat(ClientKind.of(perMessage)).isEqualTo(ClientKind.PER_MESSAGE);
    assertThat(ClientKind.PER_MESSAGE.readPauseMicros(perMessage)).isZero();
    assertThat(ClientKind.PER_MESSAGE.flagValue()).isEqualTo("per-message");
  }

  @Test
  void aPerMessageClientWithAPauseIsRefused() {
    Args both = args("--client=per-message", "--read-pause-us=500");

    assertThatThrownBy(() -> ClientKind.PER_MESSAGE.readPauseMicros(both))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("drop --read-pause-us");
  }

  @Test
  void anUnknownKindNamesTheChoices() {
    assertThatThrownBy(() -> ClientKind.of(args("--client=browser")))
        .hasMessage("--client=browser: expected batched or per-message");
  }
}
