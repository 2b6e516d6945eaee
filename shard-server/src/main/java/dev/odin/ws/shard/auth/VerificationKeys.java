package dev.odin.ws.shard.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.util.X509CertUtils;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The keys tokens are verified with, read from one file whose format is recognised from its content: a JWKS (or a
 * single JWK) as JSON, PEM public keys or certificates (RSA or EC P-256; several blocks for a rotation), or else the
 * raw bytes of an HMAC secret (at least 32 bytes; surrounding whitespace is not part of it). Asymmetric private
 * parts in a JWKS are dropped; a PEM private key is refused, since a shard only verifies.
 *
 * <p>As a {@link JWSKeySelector} it offers, for a token's header, the keys of the algorithm's family that the token
 * may use: only accepted algorithms, a key's own {@code alg} and {@code use} respected, and a {@code kid} in the
 * header narrowing the choice to keys with that id (keys without an id, from PEM or an HMAC secret, always apply).
 * So an RSA public key can never be used as an HMAC secret.
 */
final class VerificationKeys implements JWSKeySelector<TokenVerifier.At> {
  static final int MIN_HMAC_BYTES = 32;
  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");

  private final List<JWK> keys;
  private final Set<JWSAlgorithm> algorithms;
  private final String description;

  private VerificationKeys(List<JWK> keys, Set<JWSAlgorithm> algorithms, String description) {
    this.keys = List.copyOf(keys);
    this.algorithms = algorithms;
    this.description = description;
  }

  /** Parses the file's bytes; the message of the exception says what is wrong without quoting the secret. */
  static VerificationKeys parse(byte[] content, Set<JWSAlgorithm> algorithms) {
    String text = new String(content, StandardCharsets.UTF_8).strip();
    if (text.startsWith("{")) {
      return jwks(text, algorithms);
    }
    if (text.startsWith("-----BEGIN")) {
      return pem(text, algorithms);
    }
    byte[] secret = text.getBytes(StandardCharsets.UTF_8);
    if (secret.length < MIN_HMAC_BYTES) {
      throw new IllegalArgumentException("neither JSON (JWKS) nor PEM, so an HMAC secret; but it has " + secret.length
          + " bytes and HS256 needs at least " + MIN_HMAC_BYTES);
    }
    return new VerificationKeys(List.of(new OctetSequenceKey.Builder(secret).build()), algorithms,
        "an HMAC secret of " + secret.length + " bytes");
  }

  private static VerificationKeys jwks(String json, Set<JWSAlgorithm> algorithms) {
    List<JWK> parsed;
    try {
      parsed = json.contains("\"keys\"") ? JWKSet.parse(json).getKeys() : List.of(JWK.parse(json));
    } catch (java.text.ParseException e) {
      throw new IllegalArgumentException("JSON but not a JWKS or JWK: " + e.getMessage());
    }
    List<JWK> keys = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (JWK jwk : parsed) {
      JWK key = jwk instanceof OctetSequenceKey ? jwk : jwk.toPublicJWK();
      if (key instanceof OctetSequenceKey oct && oct.toByteArray().length < MIN_HMAC_BYTES) {
        throw new IllegalArgumentException("the oct key " + name(key) + " is shorter than " + MIN_HMAC_BYTES + " bytes");
      }
      keys.add(key);
      names.add(name(key));
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("a JWKS without keys");
    }
    return new VerificationKeys(keys, algorithms, "a JWKS of " + keys.size() + " key(s) " + names);
  }

  private static VerificationKeys pem(String text, Set<JWSAlgorithm> algorithms) {
    List<JWK> keys = new ArrayList<>();
    Matcher m = PEM.matcher(text);
    while (m.find()) {
      String type = m.group(1);
      PublicKey key = switch (type) {
        case "PUBLIC KEY" -> publicKey(Base64.getMimeDecoder().decode(m.group(2)));
        case "CERTIFICATE" -> certificate(m.group(0)).getPublicKey();
        default -> throw new IllegalArgumentException("a PEM block of type " + type
            + ": only PUBLIC KEY and CERTIFICATE blocks are read (a shard verifies, it needs no private key)");
      };
      keys.add(jwk(key));
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("starts like PEM but holds no complete PEM block");
    }
    return new VerificationKeys(keys, algorithms, keys.size() + " PEM public key(s) " + keys.stream()
        .map(k -> k.getKeyType().getValue()).toList());
  }

  private static PublicKey publicKey(byte[] der) {
    for (String algorithm : new String[] {"RSA", "EC"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
      } catch (java.security.GeneralSecurityException e) {
        // try the next key type
      }
    }
    throw new IllegalArgumentException("a PUBLIC KEY block that is neither an RSA nor an EC key");
  }

  private static X509Certificate certificate(String pem) {
    X509Certificate certificate = X509CertUtils.parse(pem);
    if (certificate == null) {
      throw new IllegalArgumentException("a CERTIFICATE block that is not an X.509 certificate");
    }
    return certificate;
  }

  private static JWK jwk(PublicKey key) {
    if (key instanceof RSAPublicKey rsa) {
      return new RSAKey.Builder(rsa).build();
    }
    if (key instanceof ECPublicKey ec) {
      Curve curve = Curve.forECParameterSpec(ec.getParams());
      if (!Curve.P_256.equals(curve)) {
        throw new IllegalArgumentException("an EC key on curve " + curve + "; ES256 needs P-256");
      }
      return new ECKey.Builder(curve, ec).build();
    }
    throw new IllegalArgumentException("a " + key.getAlgorithm() + " key: only RSA and EC keys are read");
  }

  private static String name(JWK key) {
    return key.getKeyType().getValue() + (key.getKeyID() == null ? "" : " kid=" + key.getKeyID());
  }

  @Override
  public List<? extends Key> selectJWSKeys(JWSHeader header, TokenVerifier.At context) {
    JWSAlgorithm alg = header.getAlgorithm();
    List<Key> out = new ArrayList<>();
    if (!algorithms.contains(alg)) {
      return out;
    }
    String kid = header.getKeyID();
    for (JWK jwk : keys) {
      if ((jwk.getAlgorithm() != null && !jwk.getAlgorithm().equals(alg))
          || (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse()))
          || (kid != null && jwk.getKeyID() != null && !kid.equals(jwk.getKeyID()))) {
        continue;
      }
      try {
        if (JWSAlgorithm.HS256.equals(alg) && jwk instanceof OctetSequenceKey oct) {
          out.add(oct.toSecretKey());
        } else if (JWSAlgorithm.RS256.equals(alg) && jwk instanceof RSAKey rsa) {
          out.add(rsa.toRSAPublicKey());
        } else if (JWSAlgorithm.ES256.equals(alg) && jwk instanceof ECKey ec && Curve.P_256.equals(ec.getCurve())) {
          out.add(ec.toECPublicKey());
        }
      } catch (JOSEException e) {
        // a key that cannot be converted is no candidate
      }
    }
    return out;
  }

  /** What was loaded, for the log: key types and ids, never key material. */
  @Override
  public String toString() {
    return description;
  }
}
