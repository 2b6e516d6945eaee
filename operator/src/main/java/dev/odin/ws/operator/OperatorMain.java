package dev.odin.ws.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The operator process: configuration from the environment, then JOSDK, metrics and health endpoints. */
public final class OperatorMain {
  private static final Logger LOG = LoggerFactory.getLogger(OperatorMain.class);

  private OperatorMain() {}

  public static void main(String[] args) throws Exception {
    OperatorConfig config;
    try {
      config = OperatorConfig.from(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("odin-ws-operator: bad configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    LOG.info("starting with {}", config);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    KubernetesClient client = new KubernetesClientBuilder().build();
    WsClusterOperator operator =
        new WsClusterOperator(config, client, registry, ShardUriResolver.podIp(), null);
    // Ready once start() returned: with leader election that includes standby replicas, so a rolling update
    // (new pod ready before the old one goes) cannot deadlock on the lease.
    AtomicBoolean started = new AtomicBoolean();
    OperatorHttpServer http = new OperatorHttpServer(config.httpPort(), registry, started::get);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      operator.close();
      http.close();
      client.close();
    }, "shutdown"));
    try {
      operator.start();
    } catch (RuntimeException e) {
      // The HTTP server's threads would keep this JVM up with /healthz answering 200: exit, so the kubelet restarts
      // the pod (and its restart count says that something is wrong) instead of a live process that does nothing.
      LOG.error("operator did not start; exiting", e);
      System.exit(1);
    }
    started.set(true);
    LOG.info("operator started; http on :{}", http.port());
  }
}
