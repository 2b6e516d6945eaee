package dev.odin.ws.shard.auth;

import java.util.List;

/**
 * Who a verified token says the connection is: its {@code sub}, when the token stops being valid, and the channels
 * its {@code channels} claim lists (empty when the token has none).
 */
public record Identity(String user, long expiresAtMillis, List<ChannelPattern> channels) {
  public Identity {
    channels = List.copyOf(channels);
  }

  /** Whether the token's {@code channels} claim names {@code channel} or a pattern matching it. */
  public boolean tokenLists(String channel) {
    for (ChannelPattern pattern : channels) {
      if (pattern.matches(channel)) {
        return true;
      }
    }
    return false;
  }
}
