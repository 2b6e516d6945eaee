package dev.odin.ws.shard;

import static dev.odin.ws.shard.testing.Tokens.channels;
import static dev.odin.ws.shard.testing.Tokens.claims;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.odin.ws.kafka.EmbeddedKafkaBroker;
import dev.odin.ws.shard.auth.AuthConfig;
import dev.odin.ws.shard.testing.Shards;
import dev.odin.ws.shard.testing.Tokens;
import dev.odin.ws.shard.testing.WsClient;
import dev.odin.ws.shard.testing.WsClients;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authentication end to end: real shards, a real broker, real WebSocket clients over loopback, and real RS256 tokens
 * signed here. What each client sees: the reply, the error code, or the close code and reason.
 */
class AuthIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String CHANNEL_RULES = """
      [{"prefix":"news.","access":"Public"},{"prefix":"chat.","access":"Authenticated"},
       {"prefix":"orders","access":"User"},{"prefix":"accounts.","access":"Token"}]""";
  private static final String ORIGIN = "https://app.example.com";
  private static final String MANAGEMENT_TOKEN = "m-" + Tokens.hmacSecret();

  @TempDir static Path dir;
  private static EmbeddedKafkaBroker kafka;
  private static KafkaProducer<String, String> producer;
  private static WsClients clients;
  private static RSAKey key;
  private static Path keyFile;
  /** Anonymous connections not admitted: a client must present a token. */
  private static ShardServer closed;
  /** Anonymous connections admitted to public channels. */
  private static ShardServer open;

  @BeforeAll
  static void start() throws IOException {
    kafka = EmbeddedKafkaBroker.start();
    kafka.createTopics(1, "events");
    key = Tokens.rsa("k1");
    keyFile = Tokens.write(dir.resolve("jwks.json"), Tokens.jwks(key));
    Files.writeString(dir.resolve("management-token"), MANAGEMENT_TOKEN + "\n");
    closed = Shards.start(kafka.bootstrapServers(), "auth", 0, "events", authEnv(false));
    open = Shards.start(kafka.bootstrapServers(), "auth", 1, "events", authEnv(true));
    Shards.awaitReady(closed);
    Shards.awaitReady(open);
    producer = Shards.producer(kafka.bootstrapServers());
    clients = new WsClients();
  }

  private static Map<String, String> authEnv(boolean anonymous) {
    Map<String, String> env = new HashMap<>();
    env.put(AuthConfig.MODE, "JWT");
    env.put(AuthConfig.KEY_FILE, keyFile.toString());
    env.put(AuthConfig.ANONYMOUS, Boolean.toString(anonymous));
    env.put(AuthConfig.ISSUER, "https://auth.test");
    env.put(AuthConfig.AUDIENCE, "odin-ws");
    env.put(AuthConfig.CLOCK_SKEW_SECONDS, "0");
    env.put(AuthConfig.REFRESH_GRACE_SECONDS, "2");
    env.put(AuthConfig.CHANNELS, CHANNEL_RULES);
    env.put(AuthConfig.ALLOWED_ORIGINS, ORIGIN + ",https://*.example.org");
    env.put(AuthConfig.MANAGEMENT_TOKEN_FILE, dir.resolve("management-token").toString());
    env.put("ODIN_WS_HANDSHAKE_TIMEOUT_SECONDS", "2");
    env.put("ODIN_WS_PING_INTERVAL_SECONDS", "2");
    env.put("ODIN_WS_IDLE_TIMEOUT_SECONDS", "60");
    return env;
  }

  @AfterAll
  static void stop() {
    clients.close();
    producer.close();
    closed.close();
    open.close();
    kafka.close();
  }

  private static String token(String user, Duration lifetime, Consumer<JWTClaimsSet.Builder> more) {
    return Tokens.rs256(key, claims(user, lifetime, b -> {
      b.issuer("https://auth.test").audience("odin-ws");
      more.accept(b);
    }));
  }

  private static String token(String user, String... listed) {
    return token(user, Duration.ofMinutes(5), channels(listed));
  }

  private static WsClient connect(ShardServer shard, HttpHeaders headers, String subprotocols) {
    return clients.connectAsync(WsClients.uri(shard.wsPort()), headers, subprotocols)
        .orTimeout(30, TimeUnit.SECONDS).join();
  }

  private static WsClient withBearer(ShardServer shard, String token) {
    return connect(shard, new DefaultHttpHeaders().set("Authorization", "Bearer " + token), null);
  }

  private static WsClient plain(ShardServer shard) {
    return connect(shard, new DefaultHttpHeaders(), null);
  }

  /** Sends {@code {"type":"auth"}} and waits for {@code authenticated}. */
  private static JsonNode authenticate(WsClient client, String token, int id) {
    client.send("{\"type\":\"auth\",\"token\":\"" + token + "\",\"id\":" + id + "}");
    return client.awaitMessage(m -> m.path("id").asInt() == id, WAIT);
  }

  private static JsonNode request(WsClient client, String type, String channel, int id) {
    client.send("{\"type\":\"" + type + "\",\"channels\":[\"" + channel + "\"],\"id\":" + id + "}");
    return client.awaitMessage(m -> m.path("id").asInt() == id, WAIT);
  }

  private static int closeCode(WsClient client) {
    return client.closeCode().orTimeout(30, TimeUnit.SECONDS).join();
  }

  private static void publishAndReceive(WsClient client, String channel) {
    String marker = "m" + System.nanoTime();
    Shards.sendAndWait(producer, new ProducerRecord<>("events", channel, "{\"marker\":\"" + marker + "\"}"));
    client.awaitMessage(m -> marker.equals(m.path("data").path("marker").asText()), WAIT);
  }

  private static double failures(ShardServer shard, String reason) {
    return Shards.metric(shard, "ws_auth_failures_total", "reason=\"" + reason + "\"");
  }

  @Test
  void aValidBearerTokenOnTheUpgradeMaySubscribeToItsUsersChannel() {
    WsClient client = withBearer(closed, token("42"));
    assertThat(request(client, "subscribe", "orders#42", 1).path("type").asText()).isEqualTo("subscribed");
    publishAndReceive(client, "orders#42");
  }

  @Test
  void aTokenInTheFirstAuthMessageIsAnsweredWithTheUserAndExpiry() {
    WsClient client = plain(closed);
    JsonNode reply = authenticate(client, token("7"), 1);
    assertThat(reply.path("type").asText()).isEqualTo("authenticated");
    assertThat(reply.path("user").asText()).isEqualTo("7");
    assertThat(reply.path("expiresAt").asLong()).isGreaterThan(System.currentTimeMillis());
    assertThat(request(client, "subscribe", "chat.lobby", 2).path("type").asText()).isEqualTo("subscribed");
    publishAndReceive(client, "chat.lobby");
  }

  @Test
  void aTokenOfferedAsSubprotocolAuthenticatesAndOnlyOdinWsIsSelected() {
    WsClient client = connect(closed, new DefaultHttpHeaders(), "odin-ws, bearer." + token("9"));
    assertThat(client.subprotocol()).isEqualTo("odin-ws");
    assertThat(request(client, "subscribe", "orders#9", 1).path("type").asText()).isEqualTo("subscribed");
  }

  @Test
  void anExpiredTokenIsClosedWith4004() {
    double before = failures(closed, "expired");
    WsClient byHeader = withBearer(closed, token("42", Duration.ofSeconds(-10), b -> { }));
    assertThat(closeCode(byHeader)).isEqualTo(4004);
    assertThat(byHeader.closeReason()).isEqualTo("token expired");
    WsClient byMessage = plain(closed);
    byMessage.send("{\"type\":\"auth\",\"token\":\"" + token("42", Duration.ofSeconds(-10), b -> { }) + "\"}");
    assertThat(closeCode(byMessage)).isEqualTo(4004);
    assertThat(failures(closed, "expired")).isEqualTo(before + 2);
  }

  @Test
  void aTokenWithAWrongSignatureIsClosedWith4001() {
    String forged = Tokens.rs256(Tokens.rsa("k1"), claims("42", Duration.ofMinutes(5),
        b -> b.issuer("https://auth.test").audience("odin-ws")));
    WsClient client = withBearer(closed, forged);
    assertThat(closeCode(client)).isEqualTo(4001);
    assertThat(client.closeReason()).isEqualTo("signature does not verify");
  }

  @Test
  void aTokenForAnotherAudienceIsClosedWith4001() {
    WsClient client = plain(closed);
    client.send("{\"type\":\"auth\",\"token\":\"" + token("42", Duration.ofMinutes(5), b -> b.audience("other")) + "\"}");
    assertThat(closeCode(client)).isEqualTo(4001);
    assertThat(client.closeReason()).isEqualTo("wrong audience (aud)");
  }

  @Test
  void withoutATokenTheFirstOtherMessageClosesWith4001() {
    double before = failures(closed, "missing_token");
    WsClient client = plain(closed);
    client.send("{\"type\":\"subscribe\",\"channels\":[\"news.x\"]}");
    assertThat(closeCode(client)).isEqualTo(4001);
    assertThat(client.closeReason()).startsWith("no token");
    assertThat(client.messages("subscribed")).isEmpty();
    assertThat(failures(closed, "missing_token")).isEqualTo(before + 1);
  }

  @Test
  void withoutAnyMessageTheConnectionIsClosedWith4001AfterTheHandshakeTimeout() {
    WsClient client = plain(closed);
    long start = System.nanoTime();
    assertThat(closeCode(client)).isEqualTo(4001);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
    assertThat(client.closeReason()).isEqualTo("no auth message within the handshake timeout");
  }

  @Test
  void aRefusedSubscriptionGetsForbiddenAndTheConnectionStaysOpen() {
    double before = Shards.metric(closed, "ws_subscriptions_refused_total", "reason=\"not_owner\"");
    WsClient client = withBearer(closed, token("42", "accounts.7", "accounts.eu.*"));
    request(client, "subscribe", "orders#42", 1);
    int id = 10;
    for (String channel : new String[] {"orders#43", "accounts.8", "admin.all"}) {
      JsonNode reply = request(client, "subscribe", channel, id++);
      assertThat(reply.path("type").asText()).as(channel).isEqualTo("error");
      assertThat(reply.path("code").asText()).isEqualTo("forbidden");
      assertThat(reply.path("message").asText()).contains(channel);
    }
    assertThat(client.isOpen()).isTrue();
    assertThat(request(client, "subscribe", "accounts.eu.fr", 3).path("type").asText()).isEqualTo("subscribed");
    publishAndReceive(client, "orders#42");
    publishAndReceive(client, "accounts.eu.fr");
    assertThat(Shards.metric(closed, "ws_subscriptions_refused_total", "reason=\"not_owner\"")).isEqualTo(before + 1);
  }

  @Test
  void anonymousConnectionsReadPublicChannelsOnlyUntilTheyAuthenticate() {
    WsClient client = plain(open);
    assertThat(request(client, "subscribe", "news.sport", 1).path("type").asText()).isEqualTo("subscribed");
    JsonNode refused = request(client, "subscribe", "chat.lobby", 2);
    assertThat(refused.path("code").asText()).isEqualTo("forbidden");
    assertThat(refused.path("message").asText()).contains("needs an authenticated connection");
    assertThat(authenticate(client, token("5"), 3).path("type").asText()).isEqualTo("authenticated");
    assertThat(request(client, "subscribe", "chat.lobby", 4).path("type").asText()).isEqualTo("subscribed");
    publishAndReceive(client, "news.sport");
    publishAndReceive(client, "chat.lobby");
  }

  @Test
  void aRefreshBeforeExpiryKeepsTheConnection() {
    WsClient client = withBearer(closed, token("42", Duration.ofSeconds(3), b -> { }));
    request(client, "subscribe", "orders#42", 1);
    JsonNode refreshed = request(client, "refresh", "unused", 2);
    assertThat(refreshed.path("type").asText()).as("a refresh without a token").isEqualTo("error");
    client.send("{\"type\":\"refresh\",\"token\":\"" + token("42") + "\",\"id\":3}");
    assertThat(client.awaitMessage(m -> m.path("id").asInt() == 3, WAIT).path("type").asText())
        .isEqualTo("authenticated");
    // Past the first token's expiry and the grace period: still open, still receiving.
    Awaitility.await().pollDelay(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(7)).until(client::isOpen);
    publishAndReceive(client, "orders#42");
    assertThat(client.messages("error")).extracting(m -> m.path("code").asText()).doesNotContain("token_expired");
  }

  @Test
  void anExpiredConnectionIsWarnedThenClosedWith4004AfterTheGracePeriod() {
    WsClient client = withBearer(closed, token("42", Duration.ofSeconds(2), b -> { }));
    request(client, "subscribe", "orders#42", 1);
    JsonNode warning = client.awaitMessage(m -> "token_expired".equals(m.path("code").asText()), WAIT);
    assertThat(warning.path("message").asText()).contains("refresh").contains("4004");
    assertThat(client.isOpen()).as("open during the grace period").isTrue();
    assertThat(closeCode(client)).isEqualTo(4004);
    assertThat(client.closeReason()).isEqualTo("token expired and not refreshed");
  }

  @Test
  void aRefreshedTokenWithFewerChannelsEndsTheSubscriptionsItNoLongerAllows() {
    WsClient client = withBearer(closed, token("42", "accounts.1", "accounts.2"));
    request(client, "subscribe", "accounts.1", 1);
    request(client, "subscribe", "accounts.2", 2);
    client.send("{\"type\":\"refresh\",\"token\":\"" + token("42", "accounts.1") + "\",\"id\":3}");
    JsonNode revoked = client.awaitMessage(m -> "unsubscribed".equals(m.path("type").asText())
        && "forbidden".equals(m.path("reason").asText()), WAIT);
    assertThat(revoked.path("channels")).extracting(JsonNode::asText).containsExactly("accounts.2");
    Shards.sendAndWait(producer, new ProducerRecord<>("events", "accounts.2", "{\"gone\":true}"));
    publishAndReceive(client, "accounts.1");
    assertThat(client.messages("message")).noneMatch(m -> "accounts.2".equals(m.path("channel").asText())
        && m.path("data").path("gone").asBoolean());
    assertThat(request(client, "subscribe", "accounts.2", 4).path("code").asText()).isEqualTo("forbidden");
  }

  @Test
  void aRefreshForAnotherUserIsRefusedAndTheConnectionKeepsItsToken() {
    WsClient client = withBearer(closed, token("42"));
    client.send("{\"type\":\"refresh\",\"token\":\"" + token("43") + "\",\"id\":1}");
    JsonNode reply = client.awaitMessage(m -> m.path("id").asInt() == 1, WAIT);
    assertThat(reply.path("code").asText()).isEqualTo("unauthorized");
    assertThat(request(client, "subscribe", "orders#43", 2).path("code").asText()).isEqualTo("forbidden");
    assertThat(request(client, "subscribe", "orders#42", 3).path("type").asText()).isEqualTo("subscribed");
  }

  @Test
  void aKeyAddedToTheJwksFileIsUsedWithoutARestart() {
    RSAKey next = Tokens.rsa("k2");
    String byNext = Tokens.rs256(next, claims("42", Duration.ofMinutes(5),
        b -> b.issuer("https://auth.test").audience("odin-ws")));
    assertThat(closeCode(withBearer(closed, byNext))).isEqualTo(4001);
    Tokens.write(keyFile, Tokens.jwks(key, next));
    Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).ignoreExceptions().until(() -> {
      WsClient client = withBearer(closed, byNext);
      try {
        client.send("{\"type\":\"subscribe\",\"channels\":[\"orders#42\"],\"id\":1}");
        return "subscribed".equals(client.awaitReply("subscribed", Duration.ofSeconds(2)).path("type").asText());
      } finally {
        client.close();
      }
    });
  }

  @Test
  void aForeignOriginIsRefusedWith403BeforeTheUpgrade() {
    double before = Shards.metric(closed, "ws_connections_rejected_total", "reason=\"origin\"");
    Throwable refused = catchThrowable(() -> clients.connectAsync(WsClients.uri(closed.wsPort()),
        new DefaultHttpHeaders().set("Origin", "https://evil.example.com")
            .set("Authorization", "Bearer " + token("42")), null).orTimeout(30, TimeUnit.SECONDS).join());
    assertThat(WsClient.refusedStatus(refused)).isEqualTo(403);
    assertThat(Shards.metric(closed, "ws_connections_rejected_total", "reason=\"origin\"")).isEqualTo(before + 1);
    WsClient allowed = connect(closed, new DefaultHttpHeaders().set("Origin", ORIGIN), null);
    assertThat(authenticate(allowed, token("1"), 1).path("type").asText()).isEqualTo("authenticated");
    WsClient subdomain = connect(open, new DefaultHttpHeaders().set("Origin", "https://eu.example.org"), null);
    assertThat(request(subdomain, "subscribe", "news.x", 1).path("type").asText()).isEqualTo("subscribed");
  }

  @Test
  void drainAndShedNeedTheManagementTokenWhileReadsStayOpen() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI base = URI.create("http://127.0.0.1:" + open.managementPort());
    for (String path : new String[] {"/drain", "/shed?count=0"}) {
      HttpResponse<String> none = http.send(HttpRequest.newBuilder(base.resolve(path))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(none.statusCode()).as(path).isEqualTo(401);
      assertThat(none.body()).contains("management token");
      assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
      HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(base.resolve(path))
          .header("Authorization", "Bearer " + MANAGEMENT_TOKEN + "x")
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(wrong.statusCode()).as(path).isEqualTo(401);
    }
    assertThat(open.state().draining()).isFalse();
    HttpResponse<String> shed = http.send(HttpRequest.newBuilder(base.resolve("/shed?count=0"))
        .header("Authorization", "Bearer " + MANAGEMENT_TOKEN)
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(shed.statusCode()).isEqualTo(202);
    for (String path : new String[] {"/stats", "/metrics", "/healthz", "/readyz"}) {
      assertThat(Shards.get(open, path).statusCode()).as(path).isEqualTo(200);
    }
  }
}
