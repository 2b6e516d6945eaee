package dev.odin.ws.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackendPoolTest {

  private final BackendPool pool =
      new BackendPool(new BalancerMetrics(new SimpleMeterRegistry(), "test"));

  private static Backend backend(int index) {
    return new Backend(index, "127.0.0.1", 8080 + index, 9090 + index);
  }

  private List<BackendState> healthy(List<BackendState> states) {
    states.forEach(s -> s.healthy(true));
    return states;
  }

  @Test
  void picksTheFewestConnectionsAndBreaksTiesByLowestIndex() {
    List<BackendState> s = healthy(pool.setBackends(List.of(backend(2), backend(0), backend(1))));
    BackendState b0 = s.get(1);
    BackendState b1 = s.get(2);
    BackendState b2 = s.get(0);

    assertSame(b0, pool.pick(Set.of()));
    assertSame(b1, pool.pick(Set.of()));
    assertSame(b2, pool.pick(Set.of()));
    b1.release();
    assertSame(b1, pool.pick(Set.of()));
    assertSame(b0, pool.pick(Set.of()));
  }

  @Test
  void skipsUnhealthyAndExcludedBackends() {
    List<BackendState> s = healthy(pool.setBackends(List.of(backend(0), backend(1))));
    s.get(0).healthy(false);

    assertSame(s.get(1), pool.pick(Set.of()));
    assertNull(pool.pick(Set.of(s.get(1))));
  }

  @Test
  void aNewBackendStartsUnhealthyUntilItsFirstCheck() {
    pool.setBackends(List.of(backend(0)));

    assertNull(pool.pick(Set.of()));
  }

  @Test
  void anUnchangedBackendKeepsItsStateAcrossListChanges() {
    BackendState b0 = healthy(pool.setBackends(List.of(backend(0)))).get(0);
    pool.pick(Set.of());

    List<BackendState> fresh = pool.setBackends(List.of(backend(0), backend(1)));

    assertEquals(List.of(1), fresh.stream().map(s -> s.backend().index()).toList());
    assertEquals(1, pool.activeConnections(0));
    assertTrue(b0.healthy());
  }

  @Test
  void aRemovedBackendGetsNoNewConnectionsButStaysInStatusWhileItHasSome() {
    BackendState b0 = healthy(pool.setBackends(List.of(backend(0)))).get(0);
    assertSame(b0, pool.pick(Set.of()));

    pool.setBackends(List.of());

    assertNull(pool.pick(Set.of()));
    assertEquals(List.of(new BackendStatus(backend(0), 1, false, true)), pool.status());
    b0.release();
    assertEquals(List.of(), pool.status());
  }

  @Test
  void unansweredChecksTakeABackendOutOnlyAtTheThresholdWhileA503TakesItOutAtOnce() {
    BackendState b0 = healthy(pool.setBackends(List.of(backend(0)))).get(0);

    assertFalse(b0.checked(false, false, 3));
    assertFalse(b0.checked(false, false, 3));
    assertFalse(b0.checked(true, true, 3), "still healthy; the answer resets the count");
    assertFalse(b0.checked(false, false, 3));
    assertFalse(b0.checked(false, false, 3));
    assertTrue(b0.healthy());
    assertTrue(b0.checked(false, false, 3));
    assertFalse(b0.healthy());

    assertTrue(b0.checked(true, true, 3));
    assertTrue(b0.checked(false, true, 3), "503 decides at once");
    assertFalse(b0.healthy());
  }
}
