package dev.odin.ws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** Who may subscribe to the channels that start with one prefix. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ChannelRuleSpec {
  /** The access kinds of DESIGN §4 / issue 16. */
  public enum Access {
    Public,
    Authenticated,
    User,
    Token
  }

  @Required
  @JsonPropertyDescription("Channel prefix (namespace), e.g. `orders` or `news.`; \"\" covers every channel.")
  private String prefix;

  @Required
  @JsonPropertyDescription(
      "`Public`: any connection, anonymous ones included; `Authenticated`: any authenticated connection; `User`: "
          + "only the user named after the channel's first `#` (`orders#42` is user 42's: the token's `sub`); "
          + "`Token`: only channels listed in the token's `channels` claim (names, or patterns with `*`).")
  private Access access;

  public String getPrefix() { return prefix; }
  public void setPrefix(String prefix) { this.prefix = prefix; }
  public Access getAccess() { return access; }
  public void setAccess(Access access) { this.access = access; }
}
