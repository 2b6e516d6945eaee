package dev.odin.ws.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class OperatorHttpServerTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(OperatorHttpServer server, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void readyzFollowsStartWhileHealthzAndMetricsAnswerAtOnce() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.counter("probe.count").increment();
    AtomicBoolean started = new AtomicBoolean();
    try (OperatorHttpServer server = new OperatorHttpServer(0, registry, started::get)) {
      assertEquals(200, get(server, "/healthz").statusCode());
      assertEquals(503, get(server, "/readyz").statusCode());
      started.set(true);
      assertEquals(200, get(server, "/readyz").statusCode());
      HttpResponse<String> metrics = get(server, "/metrics");
      assertEquals(200, metrics.statusCode());
      assertTrue(metrics.body().contains("probe_count_total 1.0"), metrics.body());
    }
  }
}
