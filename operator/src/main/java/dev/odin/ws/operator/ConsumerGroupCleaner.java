package dev.odin.ws.operator;

import dev.odin.ws.api.SecretKeyRef;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterDefaults;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;

/**
 * Deletes Kafka consumer groups of shards that are gone. A group is deleted only once it is empty (the shard's
 * consumer has left); the caller keeps what is not deleted yet (in the WsCluster's status) and asks again.
 */
public final class ConsumerGroupCleaner implements AutoCloseable {
  private final KubernetesClient client;
  private final Map<String, Admin> admins = new ConcurrentHashMap<>();

  public ConsumerGroupCleaner(KubernetesClient client) {
    this.client = client;
  }

  /** Tries to delete {@code groups}; returns those gone now (deleted, or never there). */
  public Set<String> delete(WsCluster cr, Collection<String> groups) throws InterruptedException {
    Set<String> gone = new TreeSet<>();
    if (groups.isEmpty()) {
      return gone;
    }
    admin(cr).deleteConsumerGroups(Set.copyOf(groups)).deletedGroups().forEach((group, future) -> {
      try {
        future.get(15, TimeUnit.SECONDS);
        gone.add(group);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof GroupIdNotFoundException) {
          gone.add(group); // never existed or already deleted
        } else if (!(e.getCause() instanceof GroupNotEmptyException)) {
          throw new IllegalStateException("deleting consumer group " + group + " failed: " + e.getCause(), e);
        }
      } catch (TimeoutException e) {
        throw new IllegalStateException("deleting consumer group " + group + " timed out", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    return gone;
  }

  /** Every consumer group of the cluster's shards that Kafka knows: {@code <prefix>-<index>}. */
  public List<String> groupsOf(WsCluster cr) throws InterruptedException {
    Pattern shardGroup = Pattern.compile(Pattern.quote(WsClusterDefaults.consumerGroupPrefix(cr)) + "-\\d+");
    try {
      return admin(cr).listGroups().all().get(15, TimeUnit.SECONDS).stream().map(GroupListing::groupId)
          .filter(g -> shardGroup.matcher(g).matches()).sorted().toList();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("listing the consumer groups of " + cr.getMetadata().getName() + " failed: "
          + e, e);
    }
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
