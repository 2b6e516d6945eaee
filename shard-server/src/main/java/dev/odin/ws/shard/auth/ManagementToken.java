package dev.odin.ws.shard.auth;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bearer token that {@code POST /drain} and {@code /shed} need: the content of a file (the operator's Secret,
 * mounted). Read at every such request, which is rare, so a rotated Secret applies at once; compared in constant
 * time. A file that cannot be read refuses every request rather than opening the port.
 */
public final class ManagementToken {
  private static final Logger log = LoggerFactory.getLogger(ManagementToken.class);
  private static final String BEARER = "bearer ";

  private final Path file;

  /** {@code file}: null when no token is configured, and the commands are open. */
  public ManagementToken(Path file) {
    this.file = file;
  }

  public boolean required() {
    return file != null;
  }

  /** Whether the request carries the token (always true when none is configured). */
  public boolean admits(HttpHeaders headers) {
    if (file == null) {
      return true;
    }
    String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
    if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return false;
    }
    byte[] expected;
    try {
      expected = Files.readString(file, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      log.warn("cannot read the management token file {}: {}; refusing the command", file, e.toString());
      return false;
    }
    byte[] presented = authorization.substring(BEARER.length()).strip().getBytes(StandardCharsets.UTF_8);
    return expected.length > 0 && MessageDigest.isEqual(expected, presented);
  }
}
