package dev.odin.ws.shard.auth;

import static dev.odin.ws.shard.testing.Tokens.channels;
import static dev.odin.ws.shard.testing.Tokens.claims;
import static dev.odin.ws.shard.testing.Tokens.none;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.odin.ws.shard.config.ConfigException;
import dev.odin.ws.shard.testing.Tokens;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real tokens, signed here with Nimbus JOSE+JWT, through the shard's verifier: what passes and why others fail. */
class TokenVerifierTest {
  @TempDir Path dir;

  private TokenVerifier verifier(String keyFileContent, Map<String, String> more) {
    Path file = Tokens.write(dir.resolve("keys"), keyFileContent);
    Map<String, String> env = new HashMap<>(Map.of(
        AuthConfig.MODE, "JWT", AuthConfig.KEY_FILE, file.toString(), AuthConfig.CLOCK_SKEW_SECONDS, "0"));
    env.putAll(more);
    return new TokenVerifier(AuthConfig.fromEnvironment(env));
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  @Test
  void hs256TokenWithTheSecretIsValidAndNamesItsUserExpiryAndChannels() {
    String secret = Tokens.hmacSecret();
    try (TokenVerifier v = verifier(secret + "\n", Map.of())) {
      TokenVerifier.Result r = v.verify(Tokens.hs256(secret, claims("42", Duration.ofMinutes(5),
          channels("orders.*", "news"))), now());
      assertThat(r.ok()).as("%s", r).isTrue();
      assertThat(r.identity().user()).isEqualTo("42");
      assertThat(r.identity().expiresAtMillis()).isBetween(now() + 290_000, now() + 301_000);
      assertThat(r.identity().tokenLists("orders.eu")).isTrue();
      assertThat(r.identity().tokenLists("news")).isTrue();
      assertThat(r.identity().tokenLists("newsletter")).isFalse();
    }
  }

  @Test
  void rs256AndEs256TokensVerifyWithPemPublicKeys() {
    RSAKey rsa = Tokens.rsa(null);
    ECKey ec = Tokens.ec(null);
    try (TokenVerifier v = verifier(Tokens.pem(rsa) + Tokens.pem(ec), Map.of())) {
      assertThat(v.verify(Tokens.rs256(rsa, claims("a", Duration.ofMinutes(1), none())), now()).ok()).isTrue();
      assertThat(v.verify(Tokens.es256(ec, claims("b", Duration.ofMinutes(1), none())), now()).ok()).isTrue();
    }
  }

  @Test
  void rs256AndEs256TokensVerifyWithAJwksAndTheirKid() {
    RSAKey rsa = Tokens.rsa("r1");
    ECKey ec = Tokens.ec("e1");
    try (TokenVerifier v = verifier(Tokens.jwks(rsa, ec), Map.of())) {
      assertThat(v.verify(Tokens.rs256(rsa, claims("a", Duration.ofMinutes(1), none())), now()).ok()).isTrue();
      assertThat(v.verify(Tokens.es256(ec, claims("b", Duration.ofMinutes(1), none())), now()).ok()).isTrue();
    }
  }

  @Test
  void expiredTokenIsRefusedAsExpired() {
    String secret = Tokens.hmacSecret();
    try (TokenVerifier v = verifier(secret, Map.of())) {
      TokenVerifier.Result r = v.verify(Tokens.hs256(secret, claims("42", Duration.ofSeconds(-5), none())), now());
      assertThat(r.failure()).isEqualTo(AuthFailure.EXPIRED);
    }
  }

  @Test
  void clockSkewAcceptsATokenJustPastItsExpiry() {
    String secret = Tokens.hmacSecret();
    try (TokenVerifier v = verifier(secret, Map.of(AuthConfig.CLOCK_SKEW_SECONDS, "30"))) {
      assertThat(v.verify(Tokens.hs256(secret, claims("42", Duration.ofSeconds(-5), none())), now()).ok()).isTrue();
    }
  }

  @Test
  void tokenSignedWithAnotherKeyIsRefusedAsBadSignature() {
    RSAKey trusted = Tokens.rsa(null);
    RSAKey other = Tokens.rsa(null);
    String secret = Tokens.hmacSecret();
    try (TokenVerifier v = verifier(Tokens.pem(trusted), Map.of())) {
      assertThat(v.verify(Tokens.rs256(other, claims("42", Duration.ofMinutes(1), none())), now()).failure())
          .isEqualTo(AuthFailure.BAD_SIGNATURE);
    }
    try (TokenVerifier v = verifier(secret, Map.of())) {
      assertThat(v.verify(Tokens.hs256(Tokens.hmacSecret(), claims("42", Duration.ofMinutes(1), none())), now())
          .failure()).isEqualTo(AuthFailure.BAD_SIGNATURE);
    }
  }

  @Test
  void hmacTokenSignedWithThePublicKeyBytesIsRefused() throws JOSEException {
    // Algorithm confusion: an attacker who knows the RSA public key signs HS256 with its bytes as the secret.
    RSAKey trusted = Tokens.rsa(null);
    String pem = Tokens.pem(trusted);
    try (TokenVerifier v = verifier(pem, Map.of())) {
      SignedJWT forged = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims("admin", Duration.ofMinutes(1), none()));
      forged.sign(new MACSigner(pem.strip().getBytes(StandardCharsets.UTF_8)));
      assertThat(v.verify(forged.serialize(), now()).failure()).isEqualTo(AuthFailure.BAD_SIGNATURE);
    }
  }

  @Test
  void unsignedTokenIsRefusedAsMalformed() {
    try (TokenVerifier v = verifier(Tokens.hmacSecret(), Map.of())) {
      String plain = new PlainJWT(claims("admin", Duration.ofMinutes(1), none())).serialize();
      assertThat(v.verify(plain, now()).failure()).isEqualTo(AuthFailure.MALFORMED);
      assertThat(v.verify("not.a.jwt", now()).failure()).isEqualTo(AuthFailure.MALFORMED);
      assertThat(v.verify("", now()).failure()).isEqualTo(AuthFailure.MISSING_TOKEN);
      assertThat(v.verify(null, now()).failure()).isEqualTo(AuthFailure.MISSING_TOKEN);
    }
  }

  @Test
  void algorithmNotAcceptedIsRefused() {
    RSAKey rsa = Tokens.rsa(null);
    try (TokenVerifier v = verifier(Tokens.pem(rsa), Map.of(AuthConfig.ALGORITHMS, "ES256"))) {
      assertThat(v.verify(Tokens.rs256(rsa, claims("a", Duration.ofMinutes(1), none())), now()).failure())
          .isEqualTo(AuthFailure.BAD_SIGNATURE);
    }
  }

  @Test
  void issuerAndAudienceAreCheckedWhenConfigured() {
    String secret = Tokens.hmacSecret();
    try (TokenVerifier v = verifier(secret, Map.of(AuthConfig.ISSUER, "https://auth.example", AuthConfig.AUDIENCE,
        "odin-ws"))) {
      assertThat(v.verify(Tokens.hs256(secret, claims("42", Duration.ofMinutes(1),
          b -> b.issuer("https://auth.example").audience(List.of("other", "odin-ws")))), now()).ok()).isTrue();
      assertThat(v.verify(Tokens.hs256(secret, claims("42", Duration.ofMinutes(1),
          b -> b.issuer("https://auth.example").audience("other"))), now()).failure())
          .isEqualTo(AuthFailure.WRONG_AUDIENCE);
      assertThat(v.verify(Tokens.hs256(secret, claims("42", Duration.ofMinutes(1),
          b -> b.issuer("https://auth.example"))), now()).failure()).isEqualTo(AuthFailure.WRONG_AUDIENCE);
      assertThat(v.verify(Tokens.hs256(secret, claims("42", Duration.ofMinutes(1),
          b -> b.issuer("https://evil.example").audience("odin-ws"))), now()).failure())
          .isEqualTo(AuthFailure.WRONG_ISSUER);
    }
  }

  @Test
  void notBeforeInTheFutureIsRefused() {
    String secret = Tokens.hmacSecret();
    try (TokenVerifier v = verifier(secret, Map.of())) {
      assertThat(v.verify(Tokens.hs256(secret, claims("42", Duration.ofMinutes(5),
          b -> b.notBeforeTime(new Date(now() + 60_000)))), now()).failure()).isEqualTo(AuthFailure.NOT_YET_VALID);
    }
  }

  @Test
  void tokenWithoutSubOrExpOrWithABadChannelsClaimIsRefused() {
    String secret = Tokens.hmacSecret();
    try (TokenVerifier v = verifier(secret, Map.of())) {
      assertThat(v.verify(Tokens.hs256(secret, claims(null, Duration.ofMinutes(1), none())), now()).failure())
          .isEqualTo(AuthFailure.INVALID_CLAIMS);
      assertThat(v.verify(Tokens.hs256(secret, claims("42", Duration.ofMinutes(1), b -> b.expirationTime(null))),
          now()).failure()).isEqualTo(AuthFailure.INVALID_CLAIMS);
      assertThat(v.verify(Tokens.hs256(secret, claims("42", Duration.ofMinutes(1), b -> b.claim("channels", "all"))),
          now()).failure()).isEqualTo(AuthFailure.INVALID_CLAIMS);
      assertThat(v.verify(Tokens.hs256(secret, claims("42", Duration.ofMinutes(1),
          b -> b.claim("channels", List.of(1, 2)))), now()).failure()).isEqualTo(AuthFailure.INVALID_CLAIMS);
    }
  }

  @Test
  void keysRotateThroughTheJwksFileWithoutARestart() {
    RSAKey old = Tokens.rsa("2026-01");
    RSAKey next = Tokens.rsa("2026-02");
    try (TokenVerifier v = verifier(Tokens.jwks(old), Map.of())) {
      String byOld = Tokens.rs256(old, claims("42", Duration.ofMinutes(5), none()));
      String byNext = Tokens.rs256(next, claims("42", Duration.ofMinutes(5), none()));
      assertThat(v.verify(byOld, now()).ok()).isTrue();
      assertThat(v.verify(byNext, now()).failure()).isEqualTo(AuthFailure.BAD_SIGNATURE);

      Tokens.write(dir.resolve("keys"), Tokens.jwks(old, next));
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> v.verify(byNext, now()).ok());
      assertThat(v.verify(byOld, now()).ok()).isTrue();

      Tokens.write(dir.resolve("keys"), Tokens.jwks(next));
      Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> v.verify(byOld, now()).failure() == AuthFailure.BAD_SIGNATURE);
      assertThat(v.verify(byNext, now()).ok()).isTrue();

      // A broken file keeps the keys in force instead of locking everyone out.
      Tokens.write(dir.resolve("keys"), "{\"keys\": [");
      Awaitility.await().pollDelay(Duration.ofMillis(2 * TokenVerifier.RELOAD_MILLIS)).atMost(Duration.ofSeconds(5))
          .until(() -> true);
      assertThat(v.verify(byNext, now()).ok()).isTrue();
    }
  }

  @Test
  void unusableKeyFileStopsTheShardNamingTheVariable() {
    assertThatThrownBy(() -> verifier("short", Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining(AuthConfig.KEY_FILE).hasMessageContaining("at least 32");
    assertThatThrownBy(() -> verifier("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("PRIVATE KEY");
    assertThatThrownBy(() -> verifier("{\"keys\": [", Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining(AuthConfig.KEY_FILE);
    assertThatThrownBy(() -> AuthConfig.fromEnvironment(Map.of(AuthConfig.MODE, "JWT")))
        .isInstanceOf(ConfigException.class).hasMessageContaining(AuthConfig.KEY_FILE);
    assertThatThrownBy(() -> AuthConfig.fromEnvironment(Map.of(AuthConfig.MODE, "Basic")))
        .isInstanceOf(ConfigException.class).hasMessageContaining(AuthConfig.MODE);
  }
}
