package dev.odin.ws.testenv;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * One run of a probe's handler against a container, as the kubelet's prober does it: httpGet succeeds on a status
 * from 200 to 399 (HTTPS without verifying the certificate), tcpSocket on an accepted connection; both within
 * {@code timeoutSeconds}, on the pod IP unless the probe names a host.
 */
final class ProbeCheck {
  /** What one probe run found; {@code message} says why it failed. */
  record Outcome(boolean success, String message) {}

  private ProbeCheck() {}

  /** The handlers this kubelet can run; others are refused before the container starts, with this message. */
  static void requireSupported(Container container) {
    for (Probe probe : probes(container)) {
      if (probe.getHttpGet() == null && probe.getTcpSocket() == null) {
        throw new PodSetupException("container " + container.getName() + " has an exec or grpc probe; the process "
            + "kubelet runs httpGet and tcpSocket probes only");
      }
    }
  }

  static Outcome run(Probe probe, Container container, String podIp) {
    int timeoutMillis = Math.max(1, Optional.ofNullable(probe.getTimeoutSeconds()).orElse(1)) * 1000;
    try {
      if (probe.getHttpGet() != null) {
        return httpGet(probe.getHttpGet(), container, podIp, timeoutMillis);
      }
      String host = Optional.ofNullable(probe.getTcpSocket().getHost()).filter(h -> !h.isEmpty()).orElse(podIp);
      int port = port(probe.getTcpSocket().getPort(), container);
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(host, port), timeoutMillis);
      }
      return new Outcome(true, "");
    } catch (IOException | RuntimeException e) {
      return new Outcome(false, e.toString());
    }
  }

  private static Outcome httpGet(HTTPGetAction get, Container container, String podIp, int timeoutMillis)
      throws IOException {
    String host = Optional.ofNullable(get.getHost()).filter(h -> !h.isEmpty()).orElse(podIp);
    String scheme = Optional.ofNullable(get.getScheme()).orElse("HTTP").toLowerCase(java.util.Locale.ROOT);
    String path = Optional.ofNullable(get.getPath()).orElse("/");
    URI uri = URI.create(scheme + "://" + host + ":" + port(get.getPort(), container)
        + (path.startsWith("/") ? path : "/" + path));
    HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
    if (connection instanceof HttpsURLConnection https) {
      https.setSSLSocketFactory(TRUST_ALL.getSocketFactory());
      https.setHostnameVerifier((h, s) -> true);
    }
    connection.setConnectTimeout(timeoutMillis);
    connection.setReadTimeout(timeoutMillis);
    connection.setRequestProperty("User-Agent", "kube-probe/1.37");
    Optional.ofNullable(get.getHttpHeaders()).orElse(List.of())
        .forEach(h -> connection.setRequestProperty(h.getName(), h.getValue()));
    try {
      int code = connection.getResponseCode();
      try (InputStream body = code < 400 ? connection.getInputStream() : connection.getErrorStream()) {
        if (body != null) {
          body.readNBytes(10 * 1024);
        }
      }
      return code >= 200 && code < 400 ? new Outcome(true, "")
          : new Outcome(false, "HTTP probe failed with statuscode: " + code);
    } finally {
      connection.disconnect();
    }
  }

  /** A port by number, or by the name of one of the container's ports. */
  static int port(IntOrString port, Container container) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    return Optional.ofNullable(container.getPorts()).orElse(List.of()).stream()
        .filter(p -> port.getStrVal().equals(p.getName())).map(ContainerPort::getContainerPort).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("container " + container.getName() + " has no port named "
            + port.getStrVal()));
  }

  static List<Probe> probes(Container container) {
    return java.util.stream.Stream.of(container.getStartupProbe(), container.getLivenessProbe(),
        container.getReadinessProbe()).filter(java.util.Objects::nonNull).toList();
  }

  private static final SSLContext TRUST_ALL = trustAll();

  // The kubelet does not verify a probe's certificate either.
  private static SSLContext trustAll() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
          return new X509Certificate[0];
        }
      }}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
