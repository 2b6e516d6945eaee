package dev.odin.ws.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OperatorConfigTest {
  @Test
  void defaultsWatchAllNamespacesWithLeaderElection() {
    OperatorConfig c = OperatorConfig.from(Map.of());
    assertTrue(c.watchNamespaces().isEmpty());
    assertTrue(c.leaderElection());
    assertEquals(8080, c.httpPort());
    assertEquals(Duration.ofSeconds(10), c.statsInterval());
  }

  @Test
  void valuesAreParsedOnce() {
    OperatorConfig c = OperatorConfig.from(Map.of(
        "ODIN_OPERATOR_WATCH_NAMESPACES", "a, b,,",
        "ODIN_OPERATOR_SHARD_IMAGE", "shard:2",
        "ODIN_OPERATOR_LEADER_ELECTION", "FALSE",
        "ODIN_OPERATOR_HTTP_PORT", "9000"));
    assertEquals(Set.of("a", "b"), c.watchNamespaces());
    assertEquals("shard:2", c.shardImage());
    assertFalse(c.leaderElection());
    assertEquals(9000, c.httpPort());
  }

  @Test
  void aBadValueNamesTheVariable() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OperatorConfig.from(Map.of("ODIN_OPERATOR_HTTP_PORT", "http")));
    assertTrue(e.getMessage().startsWith("ODIN_OPERATOR_HTTP_PORT"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> OperatorConfig.from(Map.of("ODIN_OPERATOR_LEADER_ELECTION", "yes")));
    assertTrue(e.getMessage().startsWith("ODIN_OPERATOR_LEADER_ELECTION"), e.getMessage());
  }
}
