package dev.odin.ws.operator;

import dev.odin.ws.api.SecretKeyRef;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterDefaults;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;

/**
 * Deletes the consumer groups of removed shards. A group is deleted only once it is empty (the shard's consumer has
 * left), so deletions stay pending and are retried on later reconciles until Kafka accepts them.
 */
public final class ConsumerGroupCleaner implements AutoCloseable {
  private final KubernetesClient client;
  private final Map<String, Admin> admins = new ConcurrentHashMap<>();
  private final Map<ResourceID, Set<String>> pending = new ConcurrentHashMap<>();

  public ConsumerGroupCleaner(KubernetesClient client) {
    this.client = client;
  }

  public void schedule(WsCluster cr, Collection<String> groups) {
    pending.computeIfAbsent(ResourceID.fromResource(cr), k -> ConcurrentHashMap.newKeySet()).addAll(groups);
  }

  public boolean hasPending(WsCluster cr) {
    Set<String> groups = pending.get(ResourceID.fromResource(cr));
    return groups != null && !groups.isEmpty();
  }

  public void forget(ResourceID id) {
    pending.remove(id);
  }

  /** Tries every pending deletion of {@code cr}; returns the groups deleted now. */
  public Set<String> deletePending(WsCluster cr) throws InterruptedException {
    Set<String> groups = pending.getOrDefault(ResourceID.fromResource(cr), Set.of());
    Set<String> deleted = new TreeSet<>();
    if (groups.isEmpty()) {
      return deleted;
    }
    Admin admin = admin(cr);
    admin.deleteConsumerGroups(Set.copyOf(groups)).deletedGroups().forEach((group, future) -> {
      try {
        future.get(15, TimeUnit.SECONDS);
        deleted.add(group);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof GroupIdNotFoundException) {
          groups.remove(group); // never existed or already gone: nothing to do
        } else if (!(e.getCause() instanceof GroupNotEmptyException)) {
          throw new IllegalStateException("deleting consumer group " + group + " failed: " + e.getCause(), e);
        }
      } catch (TimeoutException e) {
        throw new IllegalStateException("deleting consumer group " + group + " timed out", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    groups.removeAll(deleted);
    return deleted;
  }

  private Admin admin(WsCluster cr) {
    Properties props = new Properties();
    WsClusterDefaults.secretRef(cr).ifPresent(ref -> props.putAll(secretProperties(cr, ref)));
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cr.getSpec().getKafka().getBootstrapServers());
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "odin-ws-operator");
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
    return admins.computeIfAbsent(new TreeSet<>(props.entrySet().stream().map(Object::toString).toList()).toString(),
        key -> Admin.create(props));
  }

  private Properties secretProperties(WsCluster cr, SecretKeyRef ref) {
    Secret secret = client.secrets().inNamespace(cr.getMetadata().getNamespace()).withName(ref.getName()).get();
    String key = WsClusterDefaults.secretKey(ref);
    if (secret == null || secret.getData() == null || !secret.getData().containsKey(key)) {
      throw new IllegalStateException("Secret " + ref.getName() + " with key " + key + " (spec.kafka.secretRef) not found");
    }
    Properties p = new Properties();
    try {
      p.load(new StringReader(new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new IllegalStateException("Secret " + ref.getName() + " key " + key + " is not a properties file", e);
    }
    return p;
  }

  @Override
  public void close() {
    admins.values().forEach(Admin::close);
  }
}
