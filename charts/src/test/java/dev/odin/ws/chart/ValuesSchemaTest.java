package dev.odin.ws.chart;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** values.schema.json turns bad values into a helm error that names the value. */
class ValuesSchemaTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      replicas=-1                    | replicas: Must be greater than or equal to 0
      replicas=two                   | replicas: Invalid type. Expected: integer, given: string
      leaderElection=maybe           | leaderElection: Invalid type. Expected: boolean, given: string
      httpPort=70000                 | httpPort: Must be less than or equal to 65535
      service.port=0                 | service.port: Must be greater than or equal to 1
      service.type=Ingress           | service.type must be one of the following
      image.pullPolicy=Sometimes     | image.pullPolicy must be one of the following
      image.repository=              | image.repository: String length must be greater than or equal to 1
      watchNamespaces={Team_A}       | watchNamespaces.0: Does not match pattern
      watchNamespaces={a,a}          | watchNamespaces: array items[0,1] must be unique
      serviceMonitor.interval=often  | serviceMonitor.interval: Does not match pattern
      serviceMonitor.enabled=yes     | serviceMonitor.enabled: Invalid type. Expected: boolean, given: string
      dashboards.enabled=1           | dashboards.enabled: Invalid type. Expected: boolean, given: integer
      replica=2                      | Additional property replica is not allowed
      rbac.creat=false               | rbac: Additional property creat is not allowed
      """)
  void badValueIsRejectedWithAMessageNamingIt(String value, String message) {
    Helm.Result result = Helm.run(Helm.templateArgs(Helm.CHART, "--set", value));
    assertNotEquals(0, result.exitCode(), () -> value + " rendered:\n" + result.stdout());
    assertTrue(result.stderr().contains(message), () -> "expected «" + message + "» in:\n" + result.stderr());
  }
}
