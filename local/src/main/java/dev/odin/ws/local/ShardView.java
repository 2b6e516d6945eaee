package dev.odin.ws.local;

import java.util.Optional;

/**
 * One shard as the runner sees it. {@code ready} is the balancer's view of {@code /readyz}; {@code connections}
 * counts the clients the balancer holds open to it; {@code endpoint} is empty between a crash and its restart.
 */
record ShardView(int index, Optional<ShardSupervisor.Endpoint> endpoint, boolean ready, int connections,
    boolean stopping) {

  /** What the shard is doing: {@code serving}, {@code starting}, {@code restarting} (crashed) or {@code draining}. */
  String state() {
    return stopping ? "draining" : endpoint.isEmpty() ? "restarting" : ready ? "serving" : "starting";
  }

  /** For the status line: connections, and what the shard is doing when it is not simply serving. */
  String describe() {
    return index + ":" + connections + (state().equals("serving") ? "" : " " + state());
  }
}
