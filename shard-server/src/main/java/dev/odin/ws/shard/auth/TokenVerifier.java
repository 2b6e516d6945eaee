package dev.odin.ws.shard.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.JWTClaimsSetVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies connection tokens (JWS-signed JWTs, Nimbus JOSE+JWT): signature with the keys of the key file, then
 * {@code exp} (required), {@code nbf}, {@code iss} and {@code aud} when configured, a non-empty {@code sub}, and the
 * optional {@code channels} claim. The key file is re-read every second on a thread of its own and swapped in when
 * its content changes, so keys rotate without a restart; a file that stops parsing keeps the previous keys. Safe to
 * call from every event loop: it reads one volatile reference and touches no file.
 */
public final class TokenVerifier implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TokenVerifier.class);
  static final long RELOAD_MILLIS = 1_000;
  /** Bounds the work one token can cause in every later permission check. */
  static final int MAX_CHANNEL_PATTERNS = 1_000;
  static final int MAX_SUBJECT_LENGTH = 256;

  private final AuthConfig config;
  private final ScheduledExecutorService reloader;
  private volatile DefaultJWTProcessor<At> processor;
  private byte[] loaded;

  /** The time of a verification, handed through Nimbus to the claims check. */
  record At(long nowMillis) implements SecurityContext {}

  /** A verified identity, or why there is none (with a few words of detail for the client). */
  public record Result(Identity identity, AuthFailure failure, String detail) {
    static Result failed(AuthFailure failure, String detail) {
      return new Result(null, failure, detail);
    }

    public boolean ok() {
      return identity != null;
    }
  }

  /** Loads the key file now (a bad file stops the shard) and starts watching it. */
  public TokenVerifier(AuthConfig config) {
    this.config = config;
    byte[] content = read();
    try {
      use(content);
    } catch (IllegalArgumentException e) {
      throw new dev.odin.ws.shard.config.ConfigException(AuthConfig.KEY_FILE, config.keyFile() + ": " + e.getMessage());
    }
    reloader = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "auth-keys");
      t.setDaemon(true);
      return t;
    });
    reloader.scheduleWithFixedDelay(this::reload, RELOAD_MILLIS, RELOAD_MILLIS, TimeUnit.MILLISECONDS);
  }

  private byte[] read() {
    try {
      return Files.readAllBytes(config.keyFile());
    } catch (IOException e) {
      throw new dev.odin.ws.shard.config.ConfigException(AuthConfig.KEY_FILE, "cannot read " + config.keyFile()
          + ": " + e);
    }
  }

  private void reload() {
    byte[] content;
    try {
      content = Files.readAllBytes(config.keyFile());
    } catch (IOException e) {
      log.warn("cannot read the JWT key file {} ({}); still verifying with the keys loaded before", config.keyFile(),
          e.toString());
      return;
    }
    if (Arrays.equals(content, loaded)) {
      return;
    }
    try {
      use(content);
    } catch (RuntimeException e) {
      loaded = content; // warn once per bad content, not every second
      log.warn("the JWT key file {} changed but cannot be used ({}); still verifying with the keys loaded before",
          config.keyFile(), e.getMessage());
    }
  }

  private void use(byte[] content) {
    VerificationKeys keys = VerificationKeys.parse(content, config.algorithms());
    DefaultJWTProcessor<At> fresh = new DefaultJWTProcessor<>();
    fresh.setJWSKeySelector(keys);
    fresh.setJWTClaimsSetVerifier(new ClaimsCheck());
    processor = fresh;
    loaded = content;
    log.info("JWT keys from {}: {}; algorithms {}", config.keyFile(), keys, config.algorithms());
  }

  /** Verifies {@code token} as of {@code nowMillis}. Never throws for a bad token. */
  public Result verify(String token, long nowMillis) {
    if (token == null || token.isEmpty()) {
      return Result.failed(AuthFailure.MISSING_TOKEN, "");
    }
    SignedJWT jwt;
    try {
      JWT parsed = JWTParser.parse(token);
      if (!(parsed instanceof SignedJWT signed)) {
        return Result.failed(AuthFailure.MALFORMED, "unsigned and encrypted tokens are refused");
      }
      jwt = signed;
    } catch (ParseException | RuntimeException e) {
      return Result.failed(AuthFailure.MALFORMED, "");
    }
    try {
      JWTClaimsSet claims = processor.process(jwt, new At(nowMillis));
      return new Result(identity(claims), null, "");
    } catch (ClaimRejected e) {
      return Result.failed(e.failure, e.getMessage());
    } catch (BadJWSException e) {
      return Result.failed(AuthFailure.BAD_SIGNATURE, "");
    } catch (BadJWTException e) {
      return Result.failed(AuthFailure.MALFORMED, "claims are not a JSON object");
    } catch (BadJOSEException e) {
      return Result.failed(AuthFailure.BAD_SIGNATURE, "no key for algorithm " + jwt.getHeader().getAlgorithm());
    } catch (JOSEException | RuntimeException e) {
      return Result.failed(AuthFailure.BAD_SIGNATURE, "");
    }
  }

  private static Identity identity(JWTClaimsSet claims) {
    List<ChannelPattern> patterns = new ArrayList<>();
    Object listed = claims.getClaim("channels");
    if (listed instanceof List<?> names) {
      for (Object name : names) {
        patterns.add(ChannelPattern.of((String) name)); // checked to be strings by ClaimsCheck
      }
    }
    return new Identity(claims.getSubject(), claims.getExpirationTime().getTime(), patterns);
  }

  @Override
  public void close() {
    reloader.shutdownNow();
  }

  /** A claim check that failed, with the reason for the metric and the client. */
  static final class ClaimRejected extends BadJWTException {
    final AuthFailure failure;

    ClaimRejected(AuthFailure failure, String message) {
      super(message);
      this.failure = failure;
    }
  }

  private final class ClaimsCheck implements JWTClaimsSetVerifier<At> {
    @Override
    public void verify(JWTClaimsSet claims, At at) throws BadJWTException {
      long skew = config.clockSkew().toMillis();
      Date exp = claims.getExpirationTime();
      if (exp == null) {
        throw new ClaimRejected(AuthFailure.INVALID_CLAIMS, "exp is required");
      }
      if (exp.getTime() + skew <= at.nowMillis()) {
        throw new ClaimRejected(AuthFailure.EXPIRED, "");
      }
      Date nbf = claims.getNotBeforeTime();
      if (nbf != null && nbf.getTime() - skew > at.nowMillis()) {
        throw new ClaimRejected(AuthFailure.NOT_YET_VALID, "");
      }
      String sub = claims.getSubject();
      if (sub == null || sub.isEmpty() || sub.length() > MAX_SUBJECT_LENGTH) {
        throw new ClaimRejected(AuthFailure.INVALID_CLAIMS, "sub is required (1 to " + MAX_SUBJECT_LENGTH + " chars)");
      }
      if (config.issuer().isPresent() && !config.issuer().get().equals(claims.getIssuer())) {
        throw new ClaimRejected(AuthFailure.WRONG_ISSUER, "");
      }
      if (config.audience().isPresent()
          && (claims.getAudience() == null || !claims.getAudience().contains(config.audience().get()))) {
        throw new ClaimRejected(AuthFailure.WRONG_AUDIENCE, "");
      }
      Object channels = claims.getClaim("channels");
      if (channels != null) {
        if (!(channels instanceof List<?> list) || list.size() > MAX_CHANNEL_PATTERNS
            || !list.stream().allMatch(c -> c instanceof String s && !s.isEmpty())) {
          throw new ClaimRejected(AuthFailure.INVALID_CLAIMS,
              "channels must be a list of at most " + MAX_CHANNEL_PATTERNS + " non-empty strings");
        }
      }
    }
  }
}
