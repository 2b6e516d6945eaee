package dev.odin.ws.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BalancerConfigTest {

  @Test
  void readsEveryVariableAndLetsFlagsOverrideThem() {
    BalancerConfig config =
        BalancerConfig.fromEnvironment(
            Map.of(
                "ODIN_BALANCER_PORT", "8001",
                "ODIN_BALANCER_MANAGEMENT_PORT", "9001",
                "ODIN_BALANCER_BACKENDS", "0@127.0.0.1:8080:9090, 1@localhost:8081:9091",
                "ODIN_BALANCER_HEALTH_CHECK_INTERVAL_MS", "250",
                "PATH", "/usr/bin"),
            "--port=8002",
            "--cluster=c1");

    assertEquals(8002, config.port());
    assertEquals(9001, config.managementPort());
    assertEquals("c1", config.cluster());
    assertEquals(Duration.ofMillis(250), config.healthCheckInterval());
    assertEquals(
        List.of(new Backend(0, "127.0.0.1", 8080, 9090), new Backend(1, "localhost", 8081, 9091)),
        config.backends());
  }

  @Test
  void defaultsNeedNoSettings() {
    BalancerConfig config = BalancerConfig.fromEnvironment(Map.of());

    assertEquals(Duration.ofMillis(1000), config.healthCheckInterval());
    assertEquals(List.of(), config.backends());
  }

  @Test
  void aBadValueIsReportedByTheVariableName() {
    assertMessageStartsWith(
        "ODIN_BALANCER_PORT", Map.of("ODIN_BALANCER_PORT", "eighty"));
    assertMessageStartsWith(
        "ODIN_BALANCER_MANAGEMENT_PORT", Map.of("ODIN_BALANCER_MANAGEMENT_PORT", "70000"));
    assertMessageStartsWith(
        "ODIN_BALANCER_BACKENDS", Map.of("ODIN_BALANCER_BACKENDS", "0@127.0.0.1:8080"));
    assertMessageStartsWith(
        "ODIN_BALANCER_BACKENDS",
        Map.of("ODIN_BALANCER_BACKENDS", "0@127.0.0.1:8080:9090,0@127.0.0.1:8081:9091"));
    assertMessageStartsWith(
        "ODIN_BALANCER_HEALTH_CHECK_INTERVAL_MS",
        Map.of("ODIN_BALANCER_HEALTH_CHECK_INTERVAL_MS", "0"));
    assertMessageStartsWith("ODIN_BALANCER_PROT", Map.of("ODIN_BALANCER_PROT", "1"));
  }

  @Test
  void backendSpecRoundTrips() {
    Backend b = Backend.parse("3@::1:8080:9090");

    assertEquals(new Backend(3, "::1", 8080, 9090), b);
    assertEquals(b, Backend.parse(b.toString()));
  }

  private static void assertMessageStartsWith(String name, Map<String, String> env) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BalancerConfig.fromEnvironment(env));
    assertTrue(e.getMessage().startsWith(name + " ") || e.getMessage().startsWith(name + ":"),
        e.getMessage());
  }
}
