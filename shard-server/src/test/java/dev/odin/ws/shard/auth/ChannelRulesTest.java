package dev.odin.ws.shard.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odin.ws.shard.config.ConfigException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each access kind allowing and refusing; the longest prefix decides; no rule means no. */
class ChannelRulesTest {
  private static final ChannelRules RULES = AuthConfig.fromEnvironment(Map.of(AuthConfig.CHANNELS, """
      [{"prefix":"news.","access":"Public"},
       {"prefix":"chat.","access":"Authenticated"},
       {"prefix":"orders","access":"User"},
       {"prefix":"accounts.","access":"Token"},
       {"prefix":"news.internal.","access":"Token"}]""")).channels();
  private static final Identity USER_42 =
      new Identity("42", Long.MAX_VALUE, List.of(ChannelPattern.of("accounts.7"), ChannelPattern.of("accounts.eu.*")));

  @Test
  void publicChannelsAdmitAnonymousAndAuthenticatedConnections() {
    assertThat(RULES.check("news.sport", null)).isNull();
    assertThat(RULES.check("news.sport", USER_42)).isNull();
  }

  @Test
  void authenticatedChannelsRefuseAnonymousConnections() {
    assertThat(RULES.check("chat.lobby", USER_42)).isNull();
    assertThat(RULES.check("chat.lobby", null)).isEqualTo(Refusal.ANONYMOUS);
  }

  @Test
  void userChannelsAdmitOnlyTheUserNamedAfterTheHash() {
    assertThat(RULES.check("orders#42", USER_42)).isNull();
    assertThat(RULES.check("orders.eu#42", USER_42)).isNull();
    assertThat(RULES.check("orders#43", USER_42)).isEqualTo(Refusal.NOT_OWNER);
    assertThat(RULES.check("orders#420", USER_42)).isEqualTo(Refusal.NOT_OWNER);
    assertThat(RULES.check("orders#4", USER_42)).isEqualTo(Refusal.NOT_OWNER);
    assertThat(RULES.check("orders", USER_42)).isEqualTo(Refusal.NOT_OWNER);
    assertThat(RULES.check("orders#42", null)).isEqualTo(Refusal.ANONYMOUS);
  }

  @Test
  void tokenChannelsAdmitOnlyWhatTheChannelsClaimLists() {
    assertThat(RULES.check("accounts.7", USER_42)).isNull();
    assertThat(RULES.check("accounts.eu.fr", USER_42)).isNull();
    assertThat(RULES.check("accounts.8", USER_42)).isEqualTo(Refusal.NOT_IN_TOKEN);
    assertThat(RULES.check("accounts.70", USER_42)).isEqualTo(Refusal.NOT_IN_TOKEN);
    assertThat(RULES.check("accounts.7", null)).isEqualTo(Refusal.ANONYMOUS);
  }

  @Test
  void theLongestPrefixDecides() {
    assertThat(RULES.check("news.internal.salaries", null)).isEqualTo(Refusal.ANONYMOUS);
    assertThat(RULES.check("news.internal.salaries", USER_42)).isEqualTo(Refusal.NOT_IN_TOKEN);
  }

  @Test
  void aChannelNoRuleCoversIsRefused() {
    assertThat(RULES.check("admin", USER_42)).isEqualTo(Refusal.NO_RULE);
    assertThat(new ChannelRules(List.of()).check("anything", USER_42)).isEqualTo(Refusal.NO_RULE);
    ChannelRules catchAll = new ChannelRules(List.of(new ChannelRules.Rule("", Access.AUTHENTICATED)));
    assertThat(catchAll.check("anything", USER_42)).isNull();
  }

  @Test
  void patternsMatchWithStarsOnly() {
    assertThat(ChannelPattern.of("a*c").matches("abbbc")).isTrue();
    assertThat(ChannelPattern.of("a*c").matches("ac")).isTrue();
    assertThat(ChannelPattern.of("a*c").matches("abcd")).isFalse();
    assertThat(ChannelPattern.of("*").matches("x")).isTrue();
    assertThat(ChannelPattern.of("a.b").matches("aXb")).isFalse();
    assertThat(ChannelPattern.of("*a*a*a*a*a*b").matches("a".repeat(200))).isFalse();
  }

  @Test
  void badRulesStopTheShardNamingTheVariable() {
    assertThatThrownBy(() -> AuthConfig.fromEnvironment(Map.of(AuthConfig.CHANNELS, "[{\"prefix\":\"a\"}]")))
        .isInstanceOf(ConfigException.class).hasMessageContaining(AuthConfig.CHANNELS);
    assertThatThrownBy(() -> AuthConfig.fromEnvironment(Map.of(AuthConfig.CHANNELS,
        "[{\"prefix\":\"a\",\"access\":\"Admin\"}]"))).hasMessageContaining("Admin");
    assertThatThrownBy(() -> AuthConfig.fromEnvironment(Map.of(AuthConfig.CHANNELS,
        "[{\"prefix\":\"a\",\"access\":\"User\"},{\"prefix\":\"a\",\"access\":\"Public\"}]")))
        .hasMessageContaining("two rules");
    assertThatThrownBy(() -> AuthConfig.fromEnvironment(Map.of(AuthConfig.ALLOWED_ORIGINS, "app.example.com")))
        .hasMessageContaining(AuthConfig.ALLOWED_ORIGINS);
  }

  @Test
  void originsMatchExactlyOrBySubdomainWildcard() {
    OriginCheck check = new OriginCheck(List.of("https://app.example.com", "https://*.example.org",
        "http://127.0.0.1:8000"));
    assertThat(check.allows("https://app.example.com")).isTrue();
    assertThat(check.allows("HTTPS://App.Example.com:443")).isTrue();
    assertThat(check.allows("https://a.b.example.org")).isTrue();
    assertThat(check.allows("http://127.0.0.1:8000")).isTrue();
    assertThat(check.allows(null)).as("no Origin: not a browser, left to authentication").isTrue();
    assertThat(check.allows("https://example.org")).isFalse();
    assertThat(check.allows("https://evil.com")).isFalse();
    assertThat(check.allows("https://app.example.com.evil.com")).isFalse();
    assertThat(check.allows("http://app.example.com")).isFalse();
    assertThat(check.allows("http://127.0.0.1:8001")).isFalse();
    assertThat(check.allows("null")).isFalse();
    assertThat(new OriginCheck(List.of()).allows("https://evil.com")).isTrue();
  }
}
