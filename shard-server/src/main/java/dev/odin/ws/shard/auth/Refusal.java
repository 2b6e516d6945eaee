package dev.odin.ws.shard.auth;

/** Why a subscription is refused: the {@code reason} label of {@code ws_subscriptions_refused_total}. */
public enum Refusal {
  /** The channel's rule needs an authenticated connection and this one is anonymous. */
  ANONYMOUS("anonymous", "needs an authenticated connection"),
  /** A {@code user} channel of another user (or with no {@code #<user>} part). */
  NOT_OWNER("not_owner", "belongs to another user"),
  /** A {@code token} channel the token's {@code channels} claim does not list. */
  NOT_IN_TOKEN("not_in_token", "is not in the token's channels claim"),
  /** No rule of {@code spec.auth.channels} covers the channel. */
  NO_RULE("no_rule", "matches no channel rule"),
  /** A subscription ended because a refreshed token no longer allows it. */
  REVOKED("revoked", "is no longer allowed by the refreshed token");

  private final String label;
  private final String explanation;

  Refusal(String label, String explanation) {
    this.label = label;
    this.explanation = explanation;
  }

  public String label() {
    return label;
  }

  /** Completes "channel X ..." in the error message a client reads. */
  public String explanation() {
    return explanation;
  }
}
