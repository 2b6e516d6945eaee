package dev.odin.ws.shard.testing;

import dev.odin.ws.shard.ShardServer;
import dev.odin.ws.shard.config.ShardServerConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;

/** Starts in-process shards on loopback ports and talks to their management API. */
public final class Shards {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private Shards() {}

  /** The environment of a shard on free loopback ports; {@code overrides} win. */
  public static Map<String, String> env(String bootstrap, String cluster, int index, String topics,
      Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("ODIN_WS_CLUSTER", cluster);
    env.put("ODIN_WS_SHARD_INDEX", Integer.toString(index));
    env.put("ODIN_WS_KAFKA_BOOTSTRAP_SERVERS", bootstrap);
    env.put("ODIN_WS_KAFKA_TOPICS", topics);
    env.put("ODIN_WS_BIND_ADDRESS", "127.0.0.1");
    env.put("ODIN_WS_PORT", "0");
    env.put("ODIN_WS_MANAGEMENT_PORT", "0");
    env.put("ODIN_WS_IO_THREADS", "2");
    env.put("ODIN_WS_DRAIN_SECONDS", "1");
    env.putAll(overrides);
    return env;
  }

  public static ShardServer start(String bootstrap, String cluster, int index, String topics,
      Map<String, String> overrides) {
    return ShardServer.start(ShardServerConfig.fromEnvironment(env(bootstrap, cluster, index, topics, overrides)));
  }

  /** Waits until the shard's /readyz says 200. */
  public static void awaitReady(ShardServer shard) {
    Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> get(shard, "/readyz").statusCode() == 200);
  }

  public static HttpResponse<String> get(ShardServer shard, String path) {
    return send(HttpRequest.newBuilder(management(shard, path)).GET());
  }

  public static HttpResponse<String> post(ShardServer shard, String path) {
    return send(HttpRequest.newBuilder(management(shard, path)).POST(HttpRequest.BodyPublishers.noBody()));
  }

  /** A plain HTTP GET to the WebSocket port, as a browser or curl would send without upgrading. */
  public static HttpResponse<String> send(int wsPort, String path) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + wsPort + path)).GET());
  }

  private static URI management(ShardServer shard, String path) {
    return URI.create("http://127.0.0.1:" + shard.managementPort() + path);
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return HTTP.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The value of one unlabelled-beyond-cluster/shard series in the shard's /metrics, or NaN. */
  public static double metric(ShardServer shard, String name, String labelFragment) {
    for (String line : get(shard, "/metrics").body().split("\n")) {
      if (line.startsWith(name + "{") && (labelFragment == null || line.contains(labelFragment))) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return Double.NaN;
  }

  public static KafkaProducer<String, String> producer(String bootstrap) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
    return new KafkaProducer<>(props);
  }

  public static void sendAndWait(KafkaProducer<String, String> producer, ProducerRecord<String, String> record) {
    try {
      producer.send(record).get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(e);
    }
  }
}
