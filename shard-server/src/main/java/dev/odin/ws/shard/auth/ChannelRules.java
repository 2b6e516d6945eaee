package dev.odin.ws.shard.auth;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The channel permissions of {@code spec.auth.channels}: one access kind per channel prefix. The longest prefix that
 * a channel starts with decides; a channel no prefix covers is refused (an empty prefix covers every channel).
 */
public final class ChannelRules {
  /** One prefix and who may subscribe to the channels that start with it. */
  public record Rule(String prefix, Access access) {}

  /** Longest prefix first, so the first match is the most specific rule. */
  private final List<Rule> rules;

  public ChannelRules(List<Rule> rules) {
    List<Rule> sorted = new ArrayList<>(rules);
    sorted.sort(Comparator.comparingInt((Rule r) -> r.prefix().length()).reversed());
    this.rules = List.copyOf(sorted);
  }

  public List<Rule> rules() {
    return rules;
  }

  /** Null when {@code identity} (null: an anonymous connection) may subscribe to {@code channel}, else why not. */
  public Refusal check(String channel, Identity identity) {
    for (Rule rule : rules) {
      if (channel.startsWith(rule.prefix())) {
        return check(rule.access(), channel, identity);
      }
    }
    return Refusal.NO_RULE;
  }

  private static Refusal check(Access access, String channel, Identity identity) {
    if (access == Access.PUBLIC) {
      return null;
    }
    if (identity == null) {
      return Refusal.ANONYMOUS;
    }
    return switch (access) {
      case AUTHENTICATED -> null;
      case USER -> ownerOf(channel).equals(identity.user()) ? null : Refusal.NOT_OWNER;
      case TOKEN -> identity.tokenLists(channel) ? null : Refusal.NOT_IN_TOKEN;
      case PUBLIC -> null;
    };
  }

  /** What follows the channel's first {@code #}; empty when there is none (no user's channel). */
  static String ownerOf(String channel) {
    int boundary = channel.indexOf('#');
    return boundary < 0 ? "" : channel.substring(boundary + 1);
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    for (Rule rule : rules) {
      out.append(out.length() == 0 ? "" : ",").append('"').append(rule.prefix()).append("\"=").append(rule.access());
    }
    return "[" + out + "]";
  }
}
