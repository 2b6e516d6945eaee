package dev.odin.ws.loadtest;

import io.netty.channel.ConnectTimeoutException;

/** Short, stable names for why a connection failed: the keys of the summary's {@code failures}. */
final class Failures {
  static final String FD_LIMIT = "fd_limit";

  private Failures() {}

  static String classify(Throwable t) {
    if (t instanceof ConnectTimeoutException) {
      return "connect_timeout";
    }
    String m = String.valueOf(t.getMessage());
    if (m.contains("Too many open files")) {
      return FD_LIMIT;
    }
    if (m.contains("Cannot assign requested address")) {
      return "no_source_port";
    }
    if (m.contains("Connection refused")) {
      return "refused";
    }
    if (m.contains("Connection reset")) {
      return "reset";
    }
    if (m.contains("Broken pipe")) {
      return "broken_pipe";
    }
    if (m.contains("timed out")) {
      return "timeout";
    }
    return t.getClass().getSimpleName();
  }
}
