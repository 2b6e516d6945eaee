package dev.odin.ws.testenv;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kubernetes control plane on loopback: etcd, kube-apiserver (RBAC and Node authorization, service-account
 * token signing, serving and client certificates from a CA made for it) and kube-controller-manager (every default
 * controller, each with its own service account, as in a kubeadm cluster). There is no kubelet, no scheduler, no
 * kube-proxy and no DNS: pods are created and stay Pending unless a test plays the kubelet's part.
 */
public final class KubeControlPlane implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KubeControlPlane.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  /** The range Services get ClusterIPs from; its first address is the {@code kubernetes} Service. */
  public static final String SERVICE_CIDR = "10.96.0.0/16";

  private final Path workDir;
  private final Path bin;
  private final List<ManagedProcess> processes = new ArrayList<>();
  private final AtomicInteger namespaces = new AtomicInteger();
  private String serverUrl;
  private String caPem;
  private Path adminKubeconfig;
  private KubernetesClient admin;
  private volatile boolean keepWorkDir;

  private KubeControlPlane(Path workDir, Path bin) {
    this.workDir = workDir;
    this.bin = bin;
  }

  /** Starts a control plane whose data, certificates and logs live in {@code workDir} (created if missing). */
  public static KubeControlPlane start(Path workDir) {
    return start(workDir, KubernetesBinaries.locate());
  }

  static KubeControlPlane start(Path workDir, Path bin) {
    KubeControlPlane plane = new KubeControlPlane(workDir.toAbsolutePath(), bin);
    try {
      plane.startAll();
      return plane;
    } catch (RuntimeException | Error e) {
      plane.keepWorkDir = true;
      plane.close();
      throw e;
    }
  }

  private void startAll() {
    long started = System.nanoTime();
    try {
      Files.createDirectories(workDir.resolve("pki"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    CertificateAuthority ca = new CertificateAuthority("odin-ws-testenv-ca");
    caPem = ca.certificatePem();
    Path pki = workDir.resolve("pki");
    write(pki.resolve("ca.crt"), caPem);
    ca.server("kube-apiserver",
        List.of("localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
            "kubernetes.default.svc.cluster.local"),
        List.of("127.0.0.1", "10.96.0.1")).write(pki.resolve("apiserver.crt"), pki.resolve("apiserver.key"));
    CertificateAuthority.Issued saKeys = CertificateAuthority.serviceAccountKeys();
    saKeys.write(pki.resolve("sa.pub"), pki.resolve("sa.key"));
    write(pki.resolve("ca.key"), ca.privateKeyPem());

    int etcdPort = freePort();
    int etcdPeerPort = freePort();
    int apiPort = freePort();
    serverUrl = "https://127.0.0.1:" + apiPort;

    ManagedProcess etcd = launch("etcd", List.of(
        bin.resolve("etcd").toString(),
        "--name=testenv",
        "--data-dir=" + workDir.resolve("etcd-data"),
        "--listen-client-urls=http://127.0.0.1:" + etcdPort,
        "--advertise-client-urls=http://127.0.0.1:" + etcdPort,
        "--listen-peer-urls=http://127.0.0.1:" + etcdPeerPort,
        "--initial-advertise-peer-urls=http://127.0.0.1:" + etcdPeerPort,
        "--initial-cluster=testenv=http://127.0.0.1:" + etcdPeerPort,
        // A test's data is thrown away: no fsync keeps etcd from waiting on the disk for every write.
        "--unsafe-no-fsync=true",
        "--log-level=warn"));
    awaitUp(etcd, "etcd /health", () -> httpOk("http://127.0.0.1:" + etcdPort + "/health"));

    ManagedProcess apiserver = launch("kube-apiserver", List.of(
        bin.resolve("kube-apiserver").toString(),
        "--etcd-servers=http://127.0.0.1:" + etcdPort,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        // The reconciler would publish the advertise address as the kubernetes Service's endpoint, and 1.37
        // refuses a loopback address there: the Service exists, without endpoints (nothing here routes to it).
        "--endpoint-reconciler-type=none",
        "--secure-port=" + apiPort,
        "--tls-cert-file=" + pki.resolve("apiserver.crt"),
        "--tls-private-key-file=" + pki.resolve("apiserver.key"),
        "--client-ca-file=" + pki.resolve("ca.crt"),
        "--authorization-mode=Node,RBAC",
        "--enable-admission-plugins=NodeRestriction",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        "--service-account-key-file=" + pki.resolve("sa.pub"),
        "--service-account-signing-key-file=" + pki.resolve("sa.key"),
        "--service-cluster-ip-range=" + SERVICE_CIDR,
        "--allow-privileged=true",
        "--profiling=false",
        "--cert-dir=" + workDir.resolve("apiserver-certs")));

    CertificateAuthority.Issued adminCert = ca.client("odin-admin", "system:masters");
    adminKubeconfig = workDir.resolve("admin.kubeconfig");
    write(adminKubeconfig, kubeconfig("odin-admin", Map.of(
        "client-certificate-data", base64(adminCert.certificatePem()),
        "client-key-data", base64(adminCert.privateKeyPem())), null));
    admin = client(adminKubeconfig);
    awaitUp(apiserver, "kube-apiserver /readyz", () -> "ok".equals(admin.raw("/readyz")));

    CertificateAuthority.Issued kcmCert = ca.client("system:kube-controller-manager", null);
    Path kcmKubeconfig = workDir.resolve("controller-manager.kubeconfig");
    write(kcmKubeconfig, kubeconfig("system:kube-controller-manager", Map.of(
        "client-certificate-data", base64(kcmCert.certificatePem()),
        "client-key-data", base64(kcmCert.privateKeyPem())), null));
    ManagedProcess controllerManager = launch("kube-controller-manager", List.of(
        bin.resolve("kube-controller-manager").toString(),
        "--kubeconfig=" + kcmKubeconfig,
        "--authentication-kubeconfig=" + kcmKubeconfig,
        "--authorization-kubeconfig=" + kcmKubeconfig,
        "--use-service-account-credentials=true",
        "--service-account-private-key-file=" + pki.resolve("sa.key"),
        "--root-ca-file=" + pki.resolve("ca.crt"),
        "--cluster-signing-cert-file=" + pki.resolve("ca.crt"),
        "--cluster-signing-key-file=" + pki.resolve("ca.key"),
        "--service-cluster-ip-range=" + SERVICE_CIDR,
        "--controllers=*",
        "--leader-elect=false",
        // No serving port: nothing here scrapes the controller manager.
        "--secure-port=0",
        "--profiling=false"));
    awaitUp(controllerManager, "the service-account controller's default ServiceAccount",
        () -> admin.serviceAccounts().inNamespace("default").withName("default").get() != null);
    LOG.info("Kubernetes control plane up at {} in {} ms; work dir {}", serverUrl,
        (System.nanoTime() - started) / 1_000_000, workDir);
  }

  /** The API server's URL, {@code https://127.0.0.1:<port>}. */
  public String serverUrl() {
    return serverUrl;
  }

  /** The PEM of the CA that signed the API server's serving certificate, for clients configured without kubeconfig. */
  public String certificateAuthorityPem() {
    return caPem;
  }

  /** A kubeconfig with the cluster-admin identity (group system:masters). */
  public Path adminKubeconfig() {
    return adminKubeconfig;
  }

  /** A client with the cluster-admin identity, shared; do not close it. */
  public KubernetesClient adminClient() {
    return admin;
  }

  public Path workDir() {
    return workDir;
  }

  /** The directory of etcd, kube-apiserver, kube-controller-manager and kubectl. */
  public Path binaries() {
    return bin;
  }

  /** A new namespace named {@code prefix-N}. */
  public String createNamespace(String prefix) {
    String name = (prefix + "-" + namespaces.incrementAndGet()).toLowerCase(Locale.ROOT);
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    return name;
  }

  /**
   * Applies a CRD file and waits until it is served. Server-side, taking the fields over from whoever applied them
   * before (helm, in a test class that installed the chart), so any test class may call it in any order.
   */
  public void installCrd(Path file, String name) {
    kubectl("apply", "--server-side", "--force-conflicts", "-f", file.toString()).orFail();
    kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd/" + name).orFail();
  }

  /** A token for a ServiceAccount from the TokenRequest API, as the kubelet gets one for a pod. */
  public String serviceAccountToken(String namespace, String serviceAccount, Duration lifetime) {
    TokenRequest request = new TokenRequestBuilder().withNewSpec()
        .withExpirationSeconds(lifetime.toSeconds()).endSpec().build();
    TokenRequest issued = admin.serviceAccounts().inNamespace(namespace).withName(serviceAccount)
        .tokenRequest(request);
    return issued.getStatus().getToken();
  }

  /**
   * A kubeconfig that authenticates as a ServiceAccount with a TokenRequest token: exactly the rights RBAC grants
   * that account, as a pod running under it would have.
   */
  public Path serviceAccountKubeconfig(String namespace, String serviceAccount) {
    String token = serviceAccountToken(namespace, serviceAccount, Duration.ofHours(2));
    Path file = workDir.resolve("sa-" + namespace + "-" + serviceAccount + ".kubeconfig");
    write(file, kubeconfig("system:serviceaccount:" + namespace + ":" + serviceAccount,
        Map.of("token", token), namespace));
    return file;
  }

  /** A new client from a kubeconfig file; the caller closes it. */
  public static KubernetesClient client(Path kubeconfig) {
    try {
      Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
      return new KubernetesClientBuilder().withConfig(config).build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs the control plane's kubectl as the admin. */
  public CommandResult kubectl(String... args) {
    return kubectlWithInput(null, args);
  }

  /** Runs kubectl as the admin with {@code stdin} as its input (for {@code apply -f -}). */
  public CommandResult kubectlWithInput(String stdin, String... args) {
    List<String> command = new ArrayList<>(List.of(bin.resolve("kubectl").toString(),
        "--kubeconfig=" + adminKubeconfig));
    command.addAll(List.of(args));
    return CommandResult.run(command, Map.of("HOME", workDir.toString()), stdin, Duration.ofSeconds(60));
  }

  /** Runs the real helm binary against this control plane as the admin. */
  public CommandResult helm(String... args) {
    List<String> command = new ArrayList<>(List.of(KubernetesBinaries.helm().toString(),
        "--kubeconfig", adminKubeconfig.toString()));
    command.addAll(List.of(args));
    Path home = workDir.resolve("helm-home");
    return CommandResult.run(command, Map.of(
        "HELM_CONFIG_HOME", home.resolve("config").toString(),
        "HELM_CACHE_HOME", home.resolve("cache").toString(),
        "HELM_DATA_HOME", home.resolve("data").toString()), null, Duration.ofSeconds(180));
  }

  /** Keep the work dir (logs, certificates, etcd data) when this control plane stops, e.g. after a failed test. */
  public void keepWorkDir() {
    keepWorkDir = true;
  }

  /** Stops the controller manager, the API server and etcd, in that order; removes the work dir unless kept. */
  @Override
  public void close() {
    if (admin != null) {
      admin.close();
    }
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).close();
    }
    if (keepWorkDir) {
      LOG.warn("Kubernetes control plane stopped; its logs stay in {}", workDir);
    } else {
      deleteRecursively(workDir);
    }
  }

  private ManagedProcess launch(String name, List<String> command) {
    ManagedProcess process = ManagedProcess.start(name, workDir.resolve(name + ".log"), command);
    processes.add(process);
    return process;
  }

  private static void awaitUp(ManagedProcess process, String what, java.util.concurrent.Callable<Boolean> check) {
    try {
      await(what).atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
          .failFast(process.name() + " exited", () -> !process.isAlive())
          .until(check);
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(process.name() + " did not come up (" + what + ") within " + START_TIMEOUT
          + "; log " + process.log() + ":\n" + process.tail(30), e);
    }
    if (!process.isAlive()) {
      throw new IllegalStateException(process.name() + " exited; log " + process.log() + ":\n" + process.tail(30));
    }
  }

  private static boolean httpOk(String url) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
    return response.statusCode() == 200;
  }

  private String kubeconfig(String user, Map<String, String> credentials, String namespace) {
    StringBuilder yaml = new StringBuilder()
        .append("apiVersion: v1\nkind: Config\nclusters:\n- name: testenv\n  cluster:\n")
        .append("    server: ").append(serverUrl).append('\n')
        .append("    certificate-authority-data: ").append(base64(caPem)).append('\n')
        .append("users:\n- name: \"").append(user).append("\"\n  user:\n");
    credentials.forEach((k, v) -> yaml.append("    ").append(k).append(": ").append(v).append('\n'));
    yaml.append("contexts:\n- name: testenv\n  context:\n    cluster: testenv\n    user: \"").append(user)
        .append("\"\n");
    if (namespace != null) {
      yaml.append("    namespace: ").append(namespace).append('\n');
    }
    return yaml.append("current-context: testenv\n").toString();
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.warn("cannot remove {}: {}", dir, e.toString());
    }
  }
}
