package dev.odin.ws.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.ws.api.AuthSpec;
import dev.odin.ws.api.BalancerSpec;
import dev.odin.ws.api.ChannelRuleSpec;
import dev.odin.ws.api.JwtSpec;
import dev.odin.ws.api.KeySecretRef;
import dev.odin.ws.api.NetworkPolicySpec;
import dev.odin.ws.api.ShardEnv;
import dev.odin.ws.api.WsCluster;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The management-token Secret, the NetworkPolicy and the shard pod's security mounts, as rendered. */
class SecurityModelsTest {
  static final WsCluster JWT = Fixtures.edit(cr -> {
    AuthSpec auth = new AuthSpec();
    JwtSpec jwt = new JwtSpec();
    KeySecretRef keys = new KeySecretRef();
    keys.setName("prices-jwt");
    keys.setKey("jwks.json");
    jwt.setKeySecretRef(keys);
    jwt.setAudience("odin-ws");
    jwt.setAlgorithms(List.of(JwtSpec.Algorithm.RS256));
    auth.setJwt(jwt);
    ChannelRuleSpec rule = new ChannelRuleSpec();
    rule.setPrefix("orders");
    rule.setAccess(ChannelRuleSpec.Access.User);
    auth.setChannels(List.of(rule));
    auth.setAllowedOrigins(List.of("https://app.example.com"));
    cr.getSpec().setAuth(auth);
    NetworkPolicySpec np = new NetworkPolicySpec();
    np.setMonitoringNamespace("monitoring");
    cr.getSpec().setNetworkPolicy(np);
  });

  private static int port(NetworkPolicyIngressRule rule) {
    return rule.getPorts().get(0).getPort().getIntVal();
  }

  @Test
  void networkPolicyAdmitsTheWebSocketPortFromEnvoyAndTheManagementPortFromOperatorMonitoringAndEnvoy() {
    NetworkPolicy policy = NetworkPolicyModel.desired(JWT, Optional.of("odin-system"));
    assertEquals("prices-shard", policy.getMetadata().getName());
    assertEquals(WsClusterLabels.selector(JWT, WsClusterLabels.SHARD), policy.getSpec().getPodSelector().getMatchLabels());
    assertEquals(List.of("Ingress"), policy.getSpec().getPolicyTypes());
    List<NetworkPolicyIngressRule> rules = policy.getSpec().getIngress();
    assertEquals(2, rules.size());
    NetworkPolicyIngressRule ws = rules.get(0);
    assertEquals(ShardEnv.WS_PORT, port(ws));
    assertEquals(1, ws.getFrom().size());
    assertEquals(WsClusterLabels.selector(JWT, WsClusterLabels.BALANCER), ws.getFrom().get(0).getPodSelector().getMatchLabels());
    assertNull(ws.getFrom().get(0).getNamespaceSelector(), "only the balancer pods of this namespace");
    NetworkPolicyIngressRule management = rules.get(1);
    assertEquals(ShardEnv.ADMIN_PORT, port(management));
    assertEquals(Map.of("kubernetes.io/metadata.name", "odin-system"),
        management.getFrom().get(0).getNamespaceSelector().getMatchLabels());
    assertEquals(Map.of("kubernetes.io/metadata.name", "monitoring"),
        management.getFrom().get(1).getNamespaceSelector().getMatchLabels());
    assertEquals(WsClusterLabels.selector(JWT, WsClusterLabels.BALANCER),
        management.getFrom().get(2).getPodSelector().getMatchLabels());
  }

  @Test
  void withAPlainServiceBalancerTheWebSocketPortIsOpenToAnySourceAndTheManagementPortIsNot() {
    WsCluster service = Fixtures.edit(cr -> {
      BalancerSpec balancer = new BalancerSpec();
      balancer.setType(BalancerSpec.Type.Service);
      cr.getSpec().setBalancer(balancer);
    });
    List<NetworkPolicyIngressRule> rules = NetworkPolicyModel.desired(service, Optional.of("odin-system"))
        .getSpec().getIngress();
    assertEquals(ShardEnv.WS_PORT, port(rules.get(0)));
    assertTrue(rules.get(0).getFrom() == null || rules.get(0).getFrom().isEmpty(), "any source");
    assertEquals(1, rules.get(1).getFrom().size(), "the operator's namespace only");
    List<NetworkPolicyIngressRule> noOperator = NetworkPolicyModel.desired(service, Optional.empty())
        .getSpec().getIngress();
    assertEquals(1, noOperator.size(), "a management rule without peers would admit everyone: none is rendered");
  }

  @Test
  void managementTokenSecretHoldsTheTokenOwnedByTheWsCluster() {
    String token = ManagementTokenModel.newToken();
    Secret secret = ManagementTokenModel.desired(JWT, token);
    assertEquals("prices-management-token", secret.getMetadata().getName());
    assertEquals("trading", secret.getMetadata().getNamespace());
    assertEquals(JWT.getMetadata().getUid(), secret.getMetadata().getOwnerReferences().get(0).getUid());
    assertEquals(Optional.of(token), ManagementTokenModel.tokenOf(secret));
    assertTrue(token.length() >= 43, "256 random bits");
    assertNotEquals(token, ManagementTokenModel.newToken());
  }

  @Test
  void shardPodsMountTheManagementTokenAndTheKeySecretAndReadThemFromTheEnvironment() {
    PodSpec pod = ShardStatefulSetModel.desired(JWT, "shard:test", 3).getSpec().getTemplate().getSpec();
    Container shard = pod.getContainers().get(0);
    Volume token = pod.getVolumes().stream().filter(v -> v.getName().equals("management-token")).findFirst().orElseThrow();
    assertEquals("prices-management-token", token.getSecret().getSecretName());
    Volume keys = pod.getVolumes().stream().filter(v -> v.getName().equals("auth-keys")).findFirst().orElseThrow();
    assertEquals("prices-jwt", keys.getSecret().getSecretName());
    assertEquals("jwks.json", keys.getSecret().getItems().get(0).getKey());
    Map<String, String> mounts = shard.getVolumeMounts().stream()
        .collect(java.util.stream.Collectors.toMap(VolumeMount::getName, VolumeMount::getMountPath));
    assertEquals(ShardEnv.MANAGEMENT_TOKEN_DIR, mounts.get("management-token"));
    assertEquals(ShardEnv.AUTH_KEYS_DIR, mounts.get("auth-keys"));
    assertTrue(shard.getVolumeMounts().stream().allMatch(m -> m.getSubPath() == null),
        "no subPath: the kubelet's Secret updates must reach the files (key rotation)");
    Map<String, String> env = ShardConfigModel.desired(JWT).getData();
    assertEquals("JWT", env.get(ShardEnv.AUTH_MODE));
    assertEquals("/etc/odin-ws/auth/jwks.json", env.get(ShardEnv.AUTH_KEY_FILE));
    assertEquals("/etc/odin-ws/management/token", env.get(ShardEnv.MANAGEMENT_TOKEN_FILE));
    assertEquals("odin-ws", env.get(ShardEnv.AUTH_AUDIENCE));
    assertEquals("RS256", env.get(ShardEnv.AUTH_ALGORITHMS));
    assertEquals("[{\"prefix\":\"orders\",\"access\":\"User\"}]", env.get(ShardEnv.AUTH_CHANNELS));
    assertEquals("https://app.example.com", env.get(ShardEnv.ALLOWED_ORIGINS));
  }

  @Test
  void withoutSpecAuthTheShardsRunInModeNoneWithoutAKeyMount() {
    PodSpec pod = ShardStatefulSetModel.desired(Fixtures.CLUSTER, "shard:test", 3).getSpec().getTemplate().getSpec();
    assertTrue(pod.getVolumes().stream().noneMatch(v -> v.getName().equals("auth-keys")));
    assertTrue(pod.getVolumes().stream().anyMatch(v -> v.getName().equals("management-token")));
    assertEquals("None", ShardConfigModel.desired(Fixtures.CLUSTER).getData().get(ShardEnv.AUTH_MODE));
  }

  @Test
  void jwtWithOnlyALocalKeyFileIsRefusedNamingKeySecretRef() {
    WsCluster local = Fixtures.edit(cr -> {
      AuthSpec auth = new AuthSpec();
      JwtSpec jwt = new JwtSpec();
      jwt.setKeyFile("keys/dev.jwks");
      auth.setJwt(jwt);
      cr.getSpec().setAuth(auth);
    });
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ShardStatefulSetModel.desired(local, "shard:test", 1));
    assertTrue(e.getMessage().contains("spec.auth.jwt.keySecretRef"), e.getMessage());
  }
}
