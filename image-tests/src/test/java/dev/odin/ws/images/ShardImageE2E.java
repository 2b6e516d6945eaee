package dev.odin.ws.images;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.ws.api.ShardEnv;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterYaml;
import dev.odin.ws.kafka.EmbeddedKafkaBroker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shard image, as Jib built it, started from its own unpacked root filesystem with its own entry point, user,
 * environment and working directory, and the {@code ODIN_WS_*} environment the operator gives a pod: it becomes
 * ready against a real broker and serves a WebSocket client.
 */
class ShardImageE2E {
  private static final WsCluster CLUSTER =
      WsClusterYaml.load(UnpackedImage.REPO.resolve("examples/wscluster-minimal.yaml"));
  private static final String LOG = "shard.log";

  private static final String SECRET = "image-test-hmac-secret-of-32-bytes-or-more";
  private static final String MANAGEMENT_TOKEN = "image-test-management-token";
  private static EmbeddedKafkaBroker kafka;
  private static UnpackedImage image;
  private static Process shard;
  private static int wsPort;
  private static int managementPort;

  @BeforeAll
  static void startShardFromItsImage() throws Exception {
    image = UnpackedImage.unpack("shard-server", "shard-server");
    // One offsets partition: the consumer-group coordinator comes up in a fraction of the default 50.
    kafka = EmbeddedKafkaBroker.start(Map.of("offsets.topic.num.partitions", "1"));
    kafka.createTopics(1, "prices");
    wsPort = UnpackedImage.freePort();
    managementPort = UnpackedImage.freePort();
    Map<String, String> env = new java.util.LinkedHashMap<>(ShardEnv.forShard(CLUSTER, 0));
    // What differs from a pod: the broker's address, and free ports on this machine's loopback (no network
    // namespace of its own here).
    env.put(ShardEnv.KAFKA_BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    env.put(ShardEnv.PORT, Integer.toString(wsPort));
    env.put(ShardEnv.MANAGEMENT_PORT, Integer.toString(managementPort));
    env.put("ODIN_WS_BIND_ADDRESS", "127.0.0.1");
    // The example authenticates with the keys of a Secret and the operator's management token, both mounted where
    // the operator mounts them: written into the image's root here, before it turns read-only.
    mount(env.get(ShardEnv.AUTH_KEY_FILE), SECRET);
    mount(env.get(ShardEnv.MANAGEMENT_TOKEN_FILE), MANAGEMENT_TOKEN);
    shard = image.start(env, LOG);
    await("shard /readyz 200 (log: target/images/shard-server/" + LOG + ")")
        .atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
        .until(() -> {
          if (!shard.isAlive()) {
            throw new AssertionError("the shard exited with " + shard.exitValue() + ":\n" + image.log(LOG));
          }
          return UnpackedImage.httpStatus(managementPort, "/readyz") == 200;
        });
  }

  /** Writes {@code content} at {@code path} inside the image's root, readable by the image's user. */
  private static void mount(String path, String content) throws IOException {
    Path file = image.rootfs.resolve(path.substring(1));
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
    for (Path p = file.getParent(); !p.equals(image.rootfs); p = p.getParent()) {
      Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (shard != null) {
      UnpackedImage.stop(shard, 40);
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void theShardImageServesAWebSocketClientRecordsFromKafka() throws Exception {
    LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
    WebSocket ws = UnpackedImage.HTTP.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + wsPort + "/ws"),
        new WebSocket.Listener() {
          private final StringBuilder text = new StringBuilder();

          @Override
          public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
              frames.add(text.toString());
              text.setLength(0);
            }
            socket.request(1);
            return null;
          }
        }).get(10, TimeUnit.SECONDS);
    com.nimbusds.jwt.SignedJWT jwt = new com.nimbusds.jwt.SignedJWT(
        new com.nimbusds.jose.JWSHeader(com.nimbusds.jose.JWSAlgorithm.HS256),
        new com.nimbusds.jwt.JWTClaimsSet.Builder().subject("42")
            .expirationTime(new java.util.Date(System.currentTimeMillis() + 300_000)).build());
    jwt.sign(new com.nimbusds.jose.crypto.MACSigner(SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    String token = jwt.serialize();
    ws.sendText("{\"type\":\"auth\",\"token\":\"" + token + "\",\"id\":0}", true).get(5, TimeUnit.SECONDS);
    String authenticated = frames.poll(10, TimeUnit.SECONDS);
    assertTrue(authenticated != null && authenticated.contains("\"type\":\"authenticated\""), "reply: " + authenticated);
    ws.sendText("{\"type\":\"subscribe\",\"channels\":[\"BTC\"],\"id\":1}", true).get(5, TimeUnit.SECONDS);
    String subscribed = frames.poll(10, TimeUnit.SECONDS);
    assertTrue(subscribed != null && subscribed.contains("\"type\":\"subscribed\""), "reply: " + subscribed);

    Properties props = new Properties();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>("prices", "BTC", "{\"price\":101}")).get(10, TimeUnit.SECONDS);
    }
    String message = frames.poll(30, TimeUnit.SECONDS);
    assertTrue(message != null && message.contains("\"type\":\"message\"") && message.contains("\"channel\":\"BTC\"")
        && message.contains("\"data\":{\"price\":101}"), "frame: " + message + "\nshard log:\n" + image.log(LOG));
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
  }

  @Test
  void drainNeedsTheMountedManagementToken() throws Exception {
    URI drain = URI.create("http://127.0.0.1:" + managementPort + "/drain");
    assertEquals(401, UnpackedImage.HTTP.send(HttpRequest.newBuilder(drain).POST(HttpRequest.BodyPublishers.noBody())
        .build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    assertEquals(401, UnpackedImage.HTTP.send(HttpRequest.newBuilder(drain).header("Authorization", "Bearer wrong")
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
  }

  @Test
  void theShardRunsAsTheImageUserFromTheImageJavaOnAReadOnlyRoot() throws IOException {
    long pid = shard.pid();
    assertEquals("10001:10001", image.config.path("User").asText());
    assertEquals("10001\t10001\t10001\t10001", UnpackedImage.procStatus(pid, "Uid"));
    assertEquals("10001\t10001\t10001\t10001", UnpackedImage.procStatus(pid, "Gid"));
    Path exe = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "exe"));
    assertTrue(exe.startsWith(image.rootfs), "the JVM is the image's own: " + exe);
    assertEquals(image.rootfs, Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "root")));
    assertEquals("/opt/odin-ws", Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd"))
        .toString().substring(image.rootfs.toString().length()));
    assertTrue(UnpackedImage.rootMountOptions(pid).startsWith("ro,"), UnpackedImage.rootMountOptions(pid));
  }

  @Test
  void theImageEntryPointRunsTheJvmFlagsFileLocalModeReads() throws IOException {
    // One source: the image carries ShardEnv's own file, and its entry point hands that file to java.
    assertEquals(List.of("java", "@/opt/odin-ws/jvm.args", "-cp", "@/app/jib-classpath-file",
        "@/app/jib-main-class-file"), image.entrypoint());
    Path source =
        UnpackedImage.REPO.resolve("api/src/main/resources/dev/odin/ws/api").resolve(ShardEnv.JVM_FLAGS_RESOURCE);
    assertEquals(Files.readString(source), Files.readString(image.rootfs.resolve("opt/odin-ws/jvm.args")));
    assertEquals("dev.odin.ws.shard.ShardServerMain",
        Files.readString(image.rootfs.resolve("app/jib-main-class-file")).trim());
    // The process is that entry point, not a command typed again here.
    String cmdline = Files.readString(Path.of("/proc", Long.toString(shard.pid()), "cmdline")).replace('\0', ' ');
    assertEquals(String.join(" ", image.entrypoint()) + " ", cmdline);
  }

  @Test
  void theFlagsFileSizesTheHeapByTheMachinesMemory() throws Exception {
    // -XX:MaxRAMPercentage=70 from the file, against the memory the JVM sees (no cgroup limit here): without the
    // file's flag the JVM's default would be 25%.
    long memTotal = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
        .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).findFirst().orElseThrow();
    String metrics = UnpackedImage.HTTP.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + managementPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString())
        .body();
    // The heap's pools (the serial collector's eden, survivor and tenured spaces) together: the whole heap less
    // the one survivor space that is always empty, at most a thirtieth of it.
    double heapMax = metrics.lines()
        .filter(l -> l.startsWith("jvm_memory_max_bytes{") && l.contains("area=\"heap\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    assertEquals(0.70 * 59 / 60, heapMax / memTotal, 0.015, "max heap " + heapMax + " of " + memTotal + " bytes");
  }

}
