package dev.odin.ws.testenv;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** ConfigMaps and Secrets as the kubelet reads them for env vars and volumes: key to bytes, empty when missing. */
final class KeyValueSources {
  private final KubernetesClient client;

  KeyValueSources(KubernetesClient client) {
    this.client = client;
  }

  Optional<Map<String, byte[]>> configMap(String namespace, String name) {
    ConfigMap map = client.configMaps().inNamespace(namespace).withName(name).get();
    if (map == null) {
      return Optional.empty();
    }
    Map<String, byte[]> data = new LinkedHashMap<>();
    if (map.getData() != null) {
      map.getData().forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
    }
    if (map.getBinaryData() != null) {
      map.getBinaryData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
    }
    return Optional.of(data);
  }

  Optional<Map<String, byte[]>> secret(String namespace, String name) {
    Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
    if (secret == null) {
      return Optional.empty();
    }
    Map<String, byte[]> data = new LinkedHashMap<>();
    if (secret.getData() != null) {
      secret.getData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
    }
    return Optional.of(data);
  }

  /** The data of a ConfigMap ({@code secret} false) or Secret, or the kubelet's error when it is missing. */
  Map<String, byte[]> require(String namespace, String name, boolean secret, boolean optional) {
    Optional<Map<String, byte[]>> data = secret ? secret(namespace, name) : configMap(namespace, name);
    if (data.isEmpty() && !optional) {
      throw new PodSetupException((secret ? "secret" : "configmap") + " \"" + name + "\" not found");
    }
    return data.orElse(Map.of());
  }
}
