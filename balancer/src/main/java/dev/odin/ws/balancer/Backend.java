package dev.odin.ws.balancer;

import java.util.Objects;

/**
 * One shard as the balancer sees it: its index, where its WebSocket port listens and where its management
 * port answers {@code /readyz}.
 */
public record Backend(int index, String host, int wsPort, int managementPort) {

  public Backend {
    Objects.requireNonNull(host, "host");
    if (index < 0) {
      throw new IllegalArgumentException("backend index must be >= 0, was " + index);
    }
    if (host.isBlank()) {
      throw new IllegalArgumentException("backend " + index + ": host must not be blank");
    }
    checkPort(index, "ws port", wsPort);
    checkPort(index, "management port", managementPort);
  }

  /** Parses {@code index@host:wsPort:managementPort}, the form of {@code ODIN_BALANCER_BACKENDS}. */
  public static Backend parse(String spec) {
    String s = spec.strip();
    int at = s.indexOf('@');
    // Split from the right so that the host part may itself contain colons (an IPv6 literal).
    int second = s.lastIndexOf(':');
    int first = second < 0 ? -1 : s.lastIndexOf(':', second - 1);
    if (at <= 0 || first <= at + 1 || second <= first + 1 || second == s.length() - 1) {
      throw new IllegalArgumentException(
          "backend '" + spec + "' is not of the form index@host:wsPort:managementPort");
    }
    try {
      return new Backend(
          Integer.parseInt(s.substring(0, at)),
          s.substring(at + 1, first),
          Integer.parseInt(s.substring(first + 1, second)),
          Integer.parseInt(s.substring(second + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "backend '" + spec + "' has a non-numeric index or port", e);
    }
  }

  /** The inverse of {@link #parse}. */
  @Override
  public String toString() {
    return index + "@" + host + ":" + wsPort + ":" + managementPort;
  }

  private static void checkPort(int index, String what, int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "backend " + index + ": " + what + " must be between 1 and 65535, was " + port);
    }
  }
}
