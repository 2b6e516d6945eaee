package dev.odin.ws.shard.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.odin.ws.shard.testing.Tokens;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Coverage-guided fuzzing of the token reader: any text as a token (in an auth message, an Authorization header or a
 * subprotocol offer) is refused with a reason and never throws, and the token part of a subprotocol offer never
 * stays in the header Netty's handshaker reads. Seeds: TokenReaderFuzzTestInputs (real tokens, cut and altered).
 */
class TokenReaderFuzzTest {
  private static final TokenVerifier VERIFIER = verifier();

  private static TokenVerifier verifier() {
    try {
      Path keys = Files.createTempFile("fuzz-keys", ".jwks");
      keys.toFile().deleteOnExit();
      Files.writeString(keys, Tokens.jwks(Tokens.rsa("k1"), Tokens.ec("k2")));
      return new TokenVerifier(AuthConfig.fromEnvironment(Map.of(AuthConfig.MODE, "JWT",
          AuthConfig.KEY_FILE, keys.toString(), AuthConfig.AUDIENCE, "odin-ws")));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "30s")
  void anyTokenTextIsRefusedWithAReasonAndNeverLingersInTheHeaders(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    TokenVerifier.Result result = VERIFIER.verify(text, System.currentTimeMillis());
    assertThat(result.ok()).as("no key of the fuzzer signs anything").isFalse();
    assertThat(result.failure()).isNotNull();

    HttpHeaders headers = new DefaultHttpHeaders(false);
    headers.add(HttpHeaderNames.AUTHORIZATION, text);
    headers.add(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, "odin-ws, " + text);
    headers.add(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, "bearer." + text);
    String token = AuthGate.takeToken(headers);
    for (String offer : headers.getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)) {
      for (String entry : offer.split(",")) {
        assertThat(entry.trim().regionMatches(true, 0, "bearer.", 0, 7)).as("offer %s", offer).isFalse();
      }
    }
    if (text.regionMatches(true, 0, "bearer ", 0, 7)) {
      assertThat(token).isEqualTo(text.substring(7).trim());
    }
  }
}
