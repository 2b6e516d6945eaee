package dev.odin.ws.shard.auth;

import java.util.Locale;

/** Who may subscribe to the channels of one prefix (the {@code access} of a {@code spec.auth.channels} rule). */
public enum Access {
  /** Any connection, anonymous ones included when the cluster admits them. */
  PUBLIC,
  /** Any authenticated connection. */
  AUTHENTICATED,
  /** Only the user the channel names after its first {@code #}: {@code orders#42} is user 42's. */
  USER,
  /** Only channels the connection's token lists (exact names or {@code *} patterns) in its {@code channels} claim. */
  TOKEN;

  /** {@code Public}, {@code public}, {@code PUBLIC}: the CRD's spelling and the environment's. */
  static Access parse(String value) {
    return valueOf(value.trim().toUpperCase(Locale.ROOT));
  }
}
