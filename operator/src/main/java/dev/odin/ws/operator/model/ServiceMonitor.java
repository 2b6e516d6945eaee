package dev.odin.ws.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.List;

/**
 * The few fields of Prometheus Operator's ServiceMonitor that we write. Typed (not generic) so that its informer
 * needs no API discovery, which fails where the CRD is not installed.
 */
@Group("monitoring.coreos.com")
@Version("v1")
@Kind("ServiceMonitor")
@Plural("servicemonitors")
public class ServiceMonitor extends CustomResource<ServiceMonitor.Spec, Void> implements Namespaced {
  /** ServiceMonitor spec: which Services, which ports. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Spec {
    public LabelSelector selector;
    public List<Endpoint> endpoints;
  }

  /** One scraped port. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Endpoint {
    public String port;
    public String path;
    public String interval;

    public Endpoint() {}

    public Endpoint(String port, String path, String interval) {
      this.port = port;
      this.path = path;
      this.interval = interval;
    }
  }
}
