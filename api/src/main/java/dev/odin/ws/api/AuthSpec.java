package dev.odin.ws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** Who may connect (JWT), who may subscribe to what (rules per channel prefix), and from which browser origins. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = AuthSpec.KEYS_RULE, message = AuthSpec.KEYS_MESSAGE)
public class AuthSpec {
  public static final String KEYS_RULE = "!has(self.mode) || self.mode == 'None' || (has(self.jwt) "
      + "&& (has(self.jwt.keySecretRef) || has(self.jwt.keyFile)))";
  public static final String KEYS_MESSAGE =
      "mode JWT needs jwt.keySecretRef (in Kubernetes) or jwt.keyFile (in local mode) to verify tokens with";

  /** {@code None} keeps every connection and subscription open: local demos only. */
  public enum Mode {
    None,
    JWT
  }

  @Default("JWT")
  @JsonPropertyDescription(
      "`JWT`: connections present a signed JWT and subscriptions follow `channels`. `None`: anyone who reaches the "
          + "endpoint may subscribe to any channel (local demos only; the status carries a Warning condition). "
          + "Without spec.auth the mode is None.")
  private Mode mode;

  @Default("false")
  @JsonPropertyDescription(
      "Admit connections without a token; they may subscribe to `Public` channels only, and may authenticate later.")
  private Boolean anonymous;

  @JsonPropertyDescription("How tokens are verified.")
  private JwtSpec jwt;

  @JsonPropertyDescription(
      "Channel rules: the longest `prefix` a channel starts with decides who may subscribe to it; a channel no rule "
          + "covers is refused (`prefix: \"\"` covers every channel).")
  private List<ChannelRuleSpec> channels;

  @JsonPropertyDescription(
      "Browser origins allowed to open a WebSocket (`https://app.example.com`, `https://*.example.com`); an upgrade "
          + "from another Origin gets HTTP 403. Empty: any origin. Requests without Origin are left to authentication.")
  private List<String> allowedOrigins;

  @Min(0)
  @Max(3600)
  @Default("30")
  @JsonPropertyDescription(
      "After a connection's token expires, how long it may still send {\"type\":\"refresh\"} before it is closed "
          + "with 4004.")
  private Integer refreshGraceSeconds;

  public Mode getMode() { return mode; }
  public void setMode(Mode mode) { this.mode = mode; }
  public Boolean getAnonymous() { return anonymous; }
  public void setAnonymous(Boolean anonymous) { this.anonymous = anonymous; }
  public JwtSpec getJwt() { return jwt; }
  public void setJwt(JwtSpec jwt) { this.jwt = jwt; }
  public List<ChannelRuleSpec> getChannels() { return channels; }
  public void setChannels(List<ChannelRuleSpec> channels) { this.channels = channels; }
  public List<String> getAllowedOrigins() { return allowedOrigins; }
  public void setAllowedOrigins(List<String> allowedOrigins) { this.allowedOrigins = allowedOrigins; }
  public Integer getRefreshGraceSeconds() { return refreshGraceSeconds; }
  public void setRefreshGraceSeconds(Integer refreshGraceSeconds) { this.refreshGraceSeconds = refreshGraceSeconds; }
}
