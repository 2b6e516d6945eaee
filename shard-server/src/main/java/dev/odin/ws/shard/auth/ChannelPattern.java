package dev.odin.ws.shard.auth;

/**
 * A channel name or a pattern in which {@code *} stands for any run of characters (none included): the entries of
 * a token's {@code channels} claim. Matching is linear in the channel's length for a pattern with one {@code *} and
 * never worse than the product of both lengths, which the token and channel size limits bound; no regular
 * expression, so a hostile pattern cannot make it backtrack.
 */
public final class ChannelPattern {
  private final String pattern;
  private final boolean exact;

  private ChannelPattern(String pattern) {
    this.pattern = pattern;
    this.exact = pattern.indexOf('*') < 0;
  }

  public static ChannelPattern of(String pattern) {
    return new ChannelPattern(pattern);
  }

  public boolean matches(String channel) {
    return exact ? pattern.equals(channel) : glob(pattern, channel);
  }

  /** Iterative wildcard match: on a mismatch, back up to the last {@code *} and let it take one more character. */
  private static boolean glob(String p, String s) {
    int pi = 0;
    int si = 0;
    int star = -1;
    int mark = 0;
    while (si < s.length()) {
      if (pi < p.length() && p.charAt(pi) != '*' && p.charAt(pi) == s.charAt(si)) {
        pi++;
        si++;
      } else if (pi < p.length() && p.charAt(pi) == '*') {
        star = pi++;
        mark = si;
      } else if (star >= 0) {
        pi = star + 1;
        si = ++mark;
      } else {
        return false;
      }
    }
    while (pi < p.length() && p.charAt(pi) == '*') {
      pi++;
    }
    return pi == p.length();
  }

  @Override
  public String toString() {
    return pattern;
  }
}
