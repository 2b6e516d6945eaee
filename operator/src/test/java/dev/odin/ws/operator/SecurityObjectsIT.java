package dev.odin.ws.operator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.ws.api.AuthSpec;
import dev.odin.ws.api.BalancerSpec;
import dev.odin.ws.api.DrainSpec;
import dev.odin.ws.api.JwtSpec;
import dev.odin.ws.api.KafkaSpec;
import dev.odin.ws.api.KeySecretRef;
import dev.odin.ws.api.NetworkPolicySpec;
import dev.odin.ws.api.TopicSpec;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterSpec;
import dev.odin.ws.kafka.EmbeddedKafkaBroker;
import dev.odin.ws.operator.model.ManagementTokenModel;
import dev.odin.ws.operator.model.WsClusterLabels;
import dev.odin.ws.operator.model.WsClusterNames;
import dev.odin.ws.testenv.ControlPlaneExtension;
import dev.odin.ws.testenv.KubeControlPlane;
import dev.odin.ws.testenv.KubeletStandIn;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the operator renders for security, on the real API server: the management-token Secret (made once, mounted,
 * sent on every drain), the NetworkPolicy (accepted by the API server's validation), the JWT key mount, the
 * AuthenticationDisabled warning, and the CRD's rule refusing mode JWT without keys.
 */
@ExtendWith(ControlPlaneExtension.class)
class SecurityObjectsIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static EmbeddedKafkaBroker kafka;
  private static KubeControlPlane plane;
  private static KubernetesClient client;
  private String ns;
  private final Map<Integer, FakeShard> shards = new ConcurrentHashMap<>();
  private WsClusterOperator operator;

  @BeforeAll
  static void controlPlane(KubeControlPlane controlPlane) {
    plane = controlPlane;
    client = plane.adminClient();
    plane.installCrd(OperatorTests.CRD, WsCluster.CRD_NAME);
    kafka = EmbeddedKafkaBroker.start(Map.of("offsets.topic.num.partitions", "1"));
    kafka.createTopics(1, "prices");
  }

  @AfterAll
  static void stopKafka() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @BeforeEach
  void startOperator() {
    ns = plane.createNamespace("security");
    OperatorConfig config = OperatorConfig.from(Map.of(
        OperatorConfig.WATCH_NAMESPACES, ns,
        OperatorConfig.STATS_INTERVAL_SECONDS, "1",
        OperatorConfig.LEASE_NAMESPACE, ns,
        OperatorConfig.SHARD_IMAGE, "shard:test",
        "POD_NAMESPACE", "odin-system"));
    operator = new WsClusterOperator(config, client, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        (cr, index, pod) -> shards.computeIfAbsent(index, i -> new FakeShard(i, 10)).uri(),
        new LeaderElectionConfiguration(config.leaseName(), ns, Duration.ofSeconds(15), Duration.ofSeconds(10),
            Duration.ofSeconds(2), "it", null, false));
    operator.start();
  }

  @AfterEach
  void stop() {
    operator.close();
    shards.values().forEach(FakeShard::close);
  }

  private WsCluster cluster(String name, int shards, Consumer<WsClusterSpec> edit) {
    WsCluster cr = new WsCluster();
    cr.getMetadata().setName(name);
    cr.getMetadata().setNamespace(ns);
    WsClusterSpec spec = new WsClusterSpec();
    spec.setShards(shards);
    KafkaSpec k = new KafkaSpec();
    k.setBootstrapServers(kafka.bootstrapServers());
    k.setTopics(List.of(new TopicSpec("prices", null)));
    spec.setKafka(k);
    DrainSpec drain = new DrainSpec();
    drain.setSeconds(1);
    spec.setDrain(drain);
    edit.accept(spec);
    cr.setSpec(spec);
    return cr;
  }

  private static AuthSpec jwt(Consumer<JwtSpec> keys) {
    AuthSpec auth = new AuthSpec();
    auth.setMode(AuthSpec.Mode.JWT);
    JwtSpec jwt = new JwtSpec();
    keys.accept(jwt);
    auth.setJwt(jwt);
    return auth;
  }

  private static KeySecretRef keyRef(String name) {
    KeySecretRef ref = new KeySecretRef();
    ref.setName(name);
    ref.setKey("jwks.json");
    return ref;
  }

  private WsCluster get(String name) {
    return client.resources(WsCluster.class).inNamespace(ns).withName(name).get();
  }

  private Secret tokenSecret(WsCluster cr) {
    return client.secrets().inNamespace(ns).withName(WsClusterNames.managementToken(cr)).get();
  }

  private NetworkPolicy networkPolicy(WsCluster cr) {
    return client.network().v1().networkPolicies().inNamespace(ns).withName(WsClusterNames.networkPolicy(cr)).get();
  }

  private StatefulSet statefulSet(WsCluster cr) {
    return client.apps().statefulSets().inNamespace(ns).withName(WsClusterNames.statefulSet(cr)).get();
  }

  private void edit(String name, Consumer<WsCluster> change) {
    for (int attempt = 1; ; attempt++) {
      try {
        client.resources(WsCluster.class).inNamespace(ns).withName(name).edit(c -> {
          change.accept(c);
          return c;
        });
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 10) {
          throw e;
        }
      }
    }
  }

  private static Optional<Condition> condition(WsCluster cr, String type) {
    return cr.getStatus() == null ? Optional.empty()
        : cr.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  @Test
  void aJwtClusterGetsItsManagementTokenOnceMountsItAndItsKeysAndSendsTheTokenOnDrain() {
    client.resource(new SecretBuilder().withNewMetadata().withName("prices-jwt").withNamespace(ns).endMetadata()
        .addToStringData("jwks.json", "{\"keys\":[]}").build()).create();
    WsCluster created = client.resource(cluster("prices", 2, spec -> {
      spec.setAuth(jwt(j -> j.setKeySecretRef(keyRef("prices-jwt"))));
      NetworkPolicySpec np = new NetworkPolicySpec();
      np.setMonitoringNamespace("monitoring");
      spec.setNetworkPolicy(np);
    })).create();

    await().atMost(WAIT).untilAsserted(() -> {
      KubeletStandIn.markReady(client, ns, WsClusterLabels.selector(created, WsClusterLabels.SHARD));
      assertNotNull(tokenSecret(created));
      assertNotNull(networkPolicy(created));
      WsCluster cr = get("prices");
      assertNotNull(cr.getStatus());
      assertEquals("True", condition(cr, "Ready").orElseThrow().getStatus(), cr.getStatus().getConditions().toString());
      assertTrue(condition(cr, "Warning").isEmpty(), "a JWT cluster carries no AuthenticationDisabled warning");
    });
    Secret secret = tokenSecret(created);
    String token = ManagementTokenModel.tokenOf(secret).orElseThrow();
    assertEquals(created.getMetadata().getUid(), secret.getMetadata().getOwnerReferences().get(0).getUid());

    NetworkPolicy policy = networkPolicy(created);
    assertEquals(2, policy.getSpec().getIngress().size(), policy.toString());
    assertEquals(Map.of("kubernetes.io/metadata.name", "odin-system"),
        policy.getSpec().getIngress().get(1).getFrom().get(0).getNamespaceSelector().getMatchLabels());
    var pod = statefulSet(created).getSpec().getTemplate().getSpec();
    assertTrue(pod.getVolumes().stream().anyMatch(v -> v.getSecret() != null
        && WsClusterNames.managementToken(created).equals(v.getSecret().getSecretName())));
    assertTrue(pod.getVolumes().stream().anyMatch(v -> v.getSecret() != null
        && "prices-jwt".equals(v.getSecret().getSecretName())));

    // Reconciles after a spec change keep the token: shards already hold it.
    String version = secret.getMetadata().getResourceVersion();
    edit("prices", c -> c.getSpec().getDrain().setSeconds(2));
    await().atMost(WAIT).until(() -> statefulSet(created).getSpec().getTemplate().getSpec()
        .getTerminationGracePeriodSeconds() == 17L);
    assertEquals(version, tokenSecret(created).getMetadata().getResourceVersion());

    edit("prices", c -> c.getSpec().setShards(1));
    await().atMost(WAIT).untilAsserted(() -> {
      KubeletStandIn.markReady(client, ns, WsClusterLabels.selector(created, WsClusterLabels.SHARD));
      assertEquals(1, statefulSet(created).getSpec().getReplicas());
    });
    assertEquals("Bearer " + token, shards.get(1).drainAuthorization, "the drain carried the Secret's token");
    assertNull(shards.get(0).drainAuthorization, "the surviving shard was not drained");

    // A deleted Secret comes back with a new token.
    client.resource(secret).delete();
    await().atMost(WAIT).until(() -> {
      Secret again = tokenSecret(created);
      return again != null && !again.getMetadata().getUid().equals(secret.getMetadata().getUid());
    });
    assertNotEquals(token, ManagementTokenModel.tokenOf(tokenSecret(created)).orElseThrow());
  }

  @Test
  void anOpenClusterWarnsAndWithAServiceBalancerItsWebSocketPortIsOpenToAll() {
    WsCluster created = client.resource(cluster("open", 1, spec -> {
      BalancerSpec balancer = new BalancerSpec();
      balancer.setType(BalancerSpec.Type.Service);
      spec.setBalancer(balancer);
    })).create();
    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
      Condition warning = condition(get("open"), "Warning").orElseThrow();
      assertEquals("AuthenticationDisabled", warning.getReason());
      assertTrue(warning.getMessage().contains("any channel"));
      assertNotNull(networkPolicy(created));
    });
    var rules = networkPolicy(created).getSpec().getIngress();
    assertTrue(rules.get(0).getFrom() == null || rules.get(0).getFrom().isEmpty(), rules.toString());

    edit("open", c -> {
      NetworkPolicySpec np = new NetworkPolicySpec();
      np.setEnabled(false);
      c.getSpec().setNetworkPolicy(np);
    });
    await().atMost(WAIT).until(() -> networkPolicy(created) == null);
  }

  @Test
  void jwtWithOnlyALocalKeyFileIsNotReadyAndSaysWhy() {
    client.resource(cluster("local", 1, spec -> spec.setAuth(jwt(j -> j.setKeyFile("keys/dev.jwks"))))).create();
    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
      Condition ready = condition(get("local"), "Ready").orElseThrow();
      assertEquals("False", ready.getStatus());
      assertTrue(ready.getMessage().contains("spec.auth.jwt.keySecretRef"), ready.getMessage());
    });
  }

  @Test
  void theApiServerRefusesModeJwtWithoutKeys() {
    KubernetesClientException refused = assertThrows(KubernetesClientException.class,
        () -> client.resource(cluster("nokeys", 1, spec -> spec.setAuth(jwt(j -> j.setAudience("x"))))).create());
    assertTrue(refused.getMessage().contains(AuthSpec.KEYS_MESSAGE), refused.getMessage());
  }
}
