package dev.odin.ws.api;

import java.util.List;

/** A WsCluster document that the CRD would reject; the message lists every problem with its field. */
public final class InvalidWsClusterException extends RuntimeException {
  private final List<String> problems;

  public InvalidWsClusterException(String source, List<String> problems) {
    super("invalid WsCluster " + source + ":\n  " + String.join("\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
