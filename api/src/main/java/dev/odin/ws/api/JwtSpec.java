package dev.odin.ws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import java.util.List;

/** The keys and claims a connection token is checked against. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class JwtSpec {
  /** Signature algorithms a token may use. */
  public enum Algorithm {
    HS256,
    RS256,
    ES256
  }

  @JsonPropertyDescription(
      "Secret key with the verification keys, mounted into every shard: an HMAC secret (at least 32 bytes), PEM "
          + "public keys or certificates, or a JWKS. Shards re-read it when the kubelet updates the mount (rotation "
          + "without a restart).")
  private KeySecretRef keySecretRef;

  @JsonPropertyDescription(
      "Local mode only: a file with the keys (same formats), relative to the WsCluster file. Ignored in Kubernetes.")
  private String keyFile;

  @JsonPropertyDescription("Accepted algorithms; default all of HS256, RS256, ES256 (each only with keys of its kind).")
  private List<Algorithm> algorithms;

  @JsonPropertyDescription("Required `iss` of every token, when set.")
  private String issuer;

  @JsonPropertyDescription("An `aud` every token must name, when set.")
  private String audience;

  @Min(0)
  @Max(600)
  @JsonPropertyDescription("Tolerance for clocks that disagree, applied to `exp` and `nbf`; default 30.")
  private Integer clockSkewSeconds;

  public KeySecretRef getKeySecretRef() { return keySecretRef; }
  public void setKeySecretRef(KeySecretRef keySecretRef) { this.keySecretRef = keySecretRef; }
  public String getKeyFile() { return keyFile; }
  public void setKeyFile(String keyFile) { this.keyFile = keyFile; }
  public List<Algorithm> getAlgorithms() { return algorithms; }
  public void setAlgorithms(List<Algorithm> algorithms) { this.algorithms = algorithms; }
  public String getIssuer() { return issuer; }
  public void setIssuer(String issuer) { this.issuer = issuer; }
  public String getAudience() { return audience; }
  public void setAudience(String audience) { this.audience = audience; }
  public Integer getClockSkewSeconds() { return clockSkewSeconds; }
  public void setClockSkewSeconds(Integer clockSkewSeconds) { this.clockSkewSeconds = clockSkewSeconds; }
}
