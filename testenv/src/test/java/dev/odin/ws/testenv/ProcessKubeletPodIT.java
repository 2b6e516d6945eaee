package dev.odin.ws.testenv;

import static dev.odin.ws.testenv.PodProcesses.TIMEOUT;
import static dev.odin.ws.testenv.PodProcesses.condition;
import static dev.odin.ws.testenv.PodProcesses.containerStatus;
import static dev.odin.ws.testenv.PodProcesses.encode;
import static dev.odin.ws.testenv.PodProcesses.get;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a user of the process kubelet sees of one pod on the default loopback pod network: it is bound and started
 * with the environment its spec asks for, Ready only once its readiness probe passes, stopped within its grace
 * period when deleted, a StatefulSet's highest pod first; its Services get no endpoints.
 */
@ExtendWith(ControlPlaneExtension.class)
class ProcessKubeletPodIT {
  private static KubeControlPlane plane;
  private static String ns;
  private static KubernetesClient admin;
  private static ProcessKubelet kubelet;

  @BeforeAll
  static void start(KubeControlPlane controlPlane) {
    plane = controlPlane;
    ns = plane.createNamespace("kubelet-pod");
    admin = plane.adminClient();
    // A loopback range of this run's own: the StatefulSet test expects the addresses it frees back, which a
    // concurrent test run on the machine (whose kubelet claims addresses of 127.0.0.0/24 too) could take meanwhile.
    kubelet = PodProcesses.kubelet(plane, PodNetwork.loopback("127.0." + (100 + ProcessHandle.current().pid() % 150)
        + ".0/24"), ns);
  }

  @AfterAll
  static void stop() {
    if (kubelet != null) {
      kubelet.close();
    }
  }

  @Test
  void aDeploymentsPodRunsWithItsSpecsEnvironmentAndIsReadyOnlyOnceItsReadinessProbePasses() {
    admin.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("settings")
        .endMetadata().addToData("GREETING", "hello").addToData("app.properties", "colour=blue\n").build()).create();
    admin.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("credentials")
        .endMetadata().addToStringData("password", "s3cret").build()).create();
    admin.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder()
        .withNewMetadata().withName("web").endMetadata()
        .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "web").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "web").addToAnnotations("team", "fan-out")
        .endMetadata()
        .withNewSpec().addToContainers(PodProcesses.container()
            .addNewEnv().withName("START_UNREADY").withValue("true").endEnv()
            .addNewEnv().withName("LITERAL").withValue("plain").endEnv()
            .addNewEnv().withName("EXPANDED").withValue("$(LITERAL)-and-$$(LITERAL)").endEnv()
            .addNewEnv().withName("FROM_CONFIG").withNewValueFrom().withNewConfigMapKeyRef("GREETING", "settings",
                false).endValueFrom().endEnv()
            .addNewEnv().withName("FROM_SECRET").withNewValueFrom().withNewSecretKeyRef("password", "credentials",
                false).endValueFrom().endEnv()
            .addNewEnv().withName("POD_NAME").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name")
                .endFieldRef().endValueFrom().endEnv()
            .addNewEnv().withName("POD_NAMESPACE").withNewValueFrom().withNewFieldRef()
                .withFieldPath("metadata.namespace").endFieldRef().endValueFrom().endEnv()
            .addNewEnv().withName("POD_UID").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.uid")
                .endFieldRef().endValueFrom().endEnv()
            .addNewEnv().withName("APP_LABEL").withNewValueFrom().withNewFieldRef()
                .withFieldPath("metadata.labels['app']").endFieldRef().endValueFrom().endEnv()
            .addNewEnv().withName("TEAM").withNewValueFrom().withNewFieldRef()
                .withFieldPath("metadata.annotations['team']").endFieldRef().endValueFrom().endEnv()
            .addNewEnv().withName("NODE").withNewValueFrom().withNewFieldRef().withFieldPath("spec.nodeName")
                .endFieldRef().endValueFrom().endEnv()
            .addNewEnv().withName("ACCOUNT").withNewValueFrom().withNewFieldRef()
                .withFieldPath("spec.serviceAccountName").endFieldRef().endValueFrom().endEnv()
            .addNewEnv().withName("POD_IP").withNewValueFrom().withNewFieldRef().withFieldPath("status.podIP")
                .endFieldRef().endValueFrom().endEnv()
            .addNewEnv().withName("HOST_IP").withNewValueFrom().withNewFieldRef().withFieldPath("status.hostIP")
                .endFieldRef().endValueFrom().endEnv()
            .addNewEnv().withName("MEMORY_MIB").withNewValueFrom().withNewResourceFieldRef().withResource(
                "limits.memory").withDivisor(new Quantity("1Mi")).endResourceFieldRef().endValueFrom().endEnv()
            .addNewEnv().withName("CPU_MILLIS").withNewValueFrom().withNewResourceFieldRef().withResource(
                "limits.cpu").withDivisor(new Quantity("1m")).endResourceFieldRef().endValueFrom().endEnv()
            .addNewEnv().withName("CONFIG_FILE").withValue("/etc/app/app.properties").endEnv()
            .addNewEnvFrom().withPrefix("CFG_").withNewConfigMapRef().withName("settings").endConfigMapRef()
                .endEnvFrom()
            .addNewEnvFrom().withNewSecretRef().withName("credentials").endSecretRef().endEnvFrom()
            .withNewResources().addToLimits("memory", new Quantity("96Mi")).addToLimits("cpu", new Quantity("250m"))
                .endResources()
            .addNewVolumeMount().withName("config").withMountPath("/etc/app").endVolumeMount()
            .build())
        .addNewVolume().withName("config").withNewConfigMap().withName("settings").endConfigMap().endVolume()
        .endSpec().endTemplate().endSpec().build()).create();

    Pod pod = await("the Deployment's pod bound and running").atMost(TIMEOUT).until(
        () -> admin.pods().inNamespace(ns).withLabel("app", "web").list().getItems(),
        pods -> pods.size() == 1 && pods.get(0).getStatus().getContainerStatuses() != null
            && !pods.get(0).getStatus().getContainerStatuses().isEmpty() && containerStatus(pods.get(0)).getState().getRunning() != null).get(0);
    String name = pod.getMetadata().getName();
    String ip = pod.getStatus().getPodIP();
    assertEquals(kubelet.nodeName(), pod.getSpec().getNodeName(), "bound to the kubelet's Node, no scheduler");
    assertTrue(ip.matches("127\\.0\\.\\d+\\.([2-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-4])"), ip);
    assertEquals(kubelet.podIp(ns, name).orElseThrow(), ip);
    assertEquals("127.0.0.1", pod.getStatus().getHostIP());

    // The readiness probe has failed (the process answers 503) and the pod is Running but not Ready.
    await("the kubelet probing /readyz").atMost(TIMEOUT).ignoreExceptions()
        .until(() -> Integer.parseInt(get(ip, "/readiness-checks")) >= 2);
    Pod unready = admin.pods().inNamespace(ns).withName(name).get();
    assertEquals("Running", unready.getStatus().getPhase());
    assertEquals("False", condition(unready, "Ready"));
    assertEquals(Boolean.FALSE, containerStatus(unready).getReady());
    assertEquals(Boolean.TRUE, containerStatus(unready).getStarted());

    get(ip, "/set?ready=true");
    Pod ready = kubelet.awaitReady(ns, name, TIMEOUT);
    assertEquals("True", condition(ready, "ContainersReady"));

    Map<String, String> env = Arrays.stream(get(ip, "/env").split("\n")).map(l -> l.split("=", 2))
        .collect(Collectors.toMap(kv -> kv[0], kv -> java.net.URLDecoder.decode(kv[1], StandardCharsets.UTF_8)));
    assertEquals(name, env.get("HOSTNAME"));
    assertTrue(env.get("HOME").endsWith("/containers/app"), "a home of the container's own: " + env.get("HOME"));
    Set<String> inherited = new TreeSet<>(System.getenv().keySet());
    inherited.retainAll(env.keySet());
    inherited.removeAll(Set.of("PATH", "HOME", "HOSTNAME", "PWD"));
    assertEquals(Set.of(), inherited, "nothing of the test JVM's environment but PATH");
    assertEquals("plain", env.get("LITERAL"));
    assertEquals("plain-and-$(LITERAL)", env.get("EXPANDED"));
    assertEquals("hello", env.get("FROM_CONFIG"));
    assertEquals("s3cret", env.get("FROM_SECRET"));
    assertEquals("s3cret", env.get("password"), "envFrom secretRef");
    assertEquals("hello", env.get("CFG_GREETING"), "envFrom configMapRef with prefix");
    assertEquals(name, env.get("POD_NAME"));
    assertEquals(ns, env.get("POD_NAMESPACE"));
    assertEquals(pod.getMetadata().getUid(), env.get("POD_UID"));
    assertEquals("web", env.get("APP_LABEL"));
    assertEquals("fan-out", env.get("TEAM"));
    assertEquals(kubelet.nodeName(), env.get("NODE"));
    assertEquals("default", env.get("ACCOUNT"));
    assertEquals(ip, env.get("POD_IP"));
    assertEquals(ip, env.get("BIND_ADDRESS"), "the runtime mapping's extra env");
    assertEquals("127.0.0.1", env.get("HOST_IP"));
    assertEquals("96", env.get("MEMORY_MIB"));
    assertEquals("250", env.get("CPU_MILLIS"));
    String configFile = env.get("CONFIG_FILE");
    assertNotEquals("/etc/app/app.properties", configFile, "a path under a mountPath is rewritten");
    assertEquals("colour=blue\n", get(ip, "/file?path=" + encode(configFile)));
  }

  @Test
  void aServiceOfLoopbackPodsGetsNoEndpointsAndItsEventsSayWhy() {
    admin.services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName("loopback")
        .endMetadata().withNewSpec().addToSelector("app", "loopback").addNewPort().withPort(80)
        .withNewTargetPort("http").endPort().endSpec().build()).create();
    admin.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("loopback")
        .addToLabels("app", "loopback").endMetadata().withNewSpec().addToContainers(PodProcesses.plainContainer())
        .endSpec().build()).create();
    kubelet.awaitReady(ns, "loopback", TIMEOUT);

    Event refused = await("the EndpointSlice controller's warning").atMost(TIMEOUT).until(
        () -> admin.v1().events().inNamespace(ns).withField("involvedObject.name", "loopback").list().getItems()
            .stream().filter(e -> "FailedToUpdateEndpointSlices".equals(e.getReason())).findFirst(),
        Optional::isPresent).orElseThrow();
    assertTrue(refused.getMessage().contains("may not be in the loopback range"), refused.getMessage());
  }

  @Test
  void deletionSendsSigtermAndSigkillsAProcessThatIgnoresItWhenTheGracePeriodEnds() throws Exception {
    for (String name : List.of("stubborn", "polite")) {
      admin.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName(name).endMetadata()
          .withNewSpec().withTerminationGracePeriodSeconds(name.equals("stubborn") ? 4L : 60L)
          .addToContainers(PodProcesses.container().addNewEnv().withName("IGNORE_SIGTERM")
              .withValue(String.valueOf(name.equals("stubborn"))).endEnv().build())
          .endSpec().build()).create();
    }
    kubelet.awaitReady(ns, "stubborn", TIMEOUT);
    kubelet.awaitReady(ns, "polite", TIMEOUT);
    ProcessHandle stubborn = kubelet.process(ns, "stubborn", "app").orElseThrow();
    ProcessHandle polite = kubelet.process(ns, "polite", "app").orElseThrow();
    var stubbornLog = kubelet.containerLog(ns, "stubborn", "app");

    long deleted = System.nanoTime();
    admin.pods().inNamespace(ns).withName("stubborn").delete();
    admin.pods().inNamespace(ns).withName("polite").delete();

    await("the polite process stops on SIGTERM, long before its 60 s grace").atMost(Duration.ofSeconds(30))
        .until(() -> !polite.isAlive());
    await("SIGTERM reached the stubborn process").atMost(Duration.ofSeconds(30))
        .until(() -> java.nio.file.Files.readString(stubbornLog).contains(", ignored"));
    stubborn.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
    long ranFor = (System.nanoTime() - deleted) / 1_000_000;
    assertTrue(ranFor >= 4_000, "killed only once the 4 s grace period ran out, after " + ranFor + " ms");
    await("both pod objects removed").atMost(TIMEOUT).until(() ->
        admin.pods().inNamespace(ns).withName("stubborn").get() == null
            && admin.pods().inNamespace(ns).withName("polite").get() == null);
    assertTrue(kubelet.podIp(ns, "stubborn").isEmpty(), "its address is free again");
  }

  @Test
  void aStatefulSetScaledFromThreeToOneStopsItsHighestPodFirstAndItsAddressesAreReused() throws IOException {
    admin.apps().statefulSets().inNamespace(ns).resource(new StatefulSetBuilder().withNewMetadata().withName("db")
        .endMetadata().withNewSpec().withReplicas(3).withServiceName("db")
        .withNewSelector().addToMatchLabels("app", "db").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "db").endMetadata()
        // Each pod takes its 2 s grace period to stop, so the order of the stops cannot blur; Ready by tcpSocket.
        .withNewSpec().withTerminationGracePeriodSeconds(2L).addToContainers(PodProcesses.container()
            .addNewEnv().withName("IGNORE_SIGTERM").withValue("true").endEnv()
            .withReadinessProbe(new ProbeBuilder().withNewTcpSocket().withNewPort(PodProcesses.PORT).endTcpSocket()
                .withPeriodSeconds(1).build()).build()).endSpec()
        .endTemplate().endSpec().build()).create();
    for (String pod : List.of("db-0", "db-1", "db-2")) {
      kubelet.awaitReady(ns, pod, TIMEOUT);
    }
    String ip1 = kubelet.podIp(ns, "db-1").orElseThrow();
    String ip2 = kubelet.podIp(ns, "db-2").orElseThrow();
    ProcessHandle db1 = kubelet.process(ns, "db-1", "app").orElseThrow();
    ProcessHandle db2 = kubelet.process(ns, "db-2", "app").orElseThrow();

    plane.kubectl("-n", ns, "scale", "statefulset/db", "--replicas=1").orFail();

    await("db-1 and db-2 stopped").atMost(TIMEOUT).until(() -> !db1.isAlive() && !db2.isAlive());
    await("both pods removed").atMost(TIMEOUT).until(() -> admin.pods().inNamespace(ns).withLabel("app", "db")
        .list().getItems().size() == 1);
    assertTrue(kubelet.process(ns, "db-0", "app").orElseThrow().isAlive(), "db-0 untouched");
    // db-2 ignores SIGTERM: it runs out its 2 s grace period, is killed, its pod removed; only then may the
    // StatefulSet controller delete db-1, which therefore gets its SIGTERM at least 2 s after db-2 got its own.
    long db2Term = sigtermAt("db-2");
    long db1Term = sigtermAt("db-1");
    assertTrue(db1Term - db2Term >= 2_000, "db-1 asked to stop " + (db1Term - db2Term) + " ms after db-2");

    plane.kubectl("-n", ns, "scale", "statefulset/db", "--replicas=3").orFail();
    kubelet.awaitReady(ns, "db-1", TIMEOUT);
    kubelet.awaitReady(ns, "db-2", TIMEOUT);
    assertEquals(Set.of(ip1, ip2), Set.of(kubelet.podIp(ns, "db-1").orElseThrow(),
        kubelet.podIp(ns, "db-2").orElseThrow()), "the freed addresses are handed out again");
  }

  private static long sigtermAt(String pod) throws IOException {
    String log = Files.readString(kubelet.containerLog(ns, pod, "app"));
    Matcher m = Pattern.compile("SIGTERM received at (\\d+)").matcher(log);
    assertTrue(m.find(), pod + " got no SIGTERM:\n" + log);
    return Long.parseLong(m.group(1));
  }

}
