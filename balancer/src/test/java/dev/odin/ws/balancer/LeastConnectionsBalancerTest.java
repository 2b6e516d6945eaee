package dev.odin.ws.balancer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real sockets on 127.0.0.1: three echo shards, the balancer, Netty WebSocket clients. */
class LeastConnectionsBalancerTest {

  private final Transport transport = Transport.detect();
  private final List<WsTestClient> clients = new ArrayList<>();
  private EventLoopGroup group;
  private List<EchoBackend> backends;
  private LeastConnectionsBalancer balancer;

  @BeforeAll
  static void awaitility() {
    Awaitility.setDefaultTimeout(Duration.ofSeconds(15));
    Awaitility.setDefaultPollInterval(Duration.ofMillis(20));
  }

  @BeforeEach
  void start() {
    group = new MultiThreadIoEventLoopGroup(2, transport.ioHandlerFactory());
    backends = List.of(echo(0), echo(1), echo(2));
  }

  @AfterEach
  void stop() {
    clients.forEach(WsTestClient::close);
    if (balancer != null) {
      balancer.stop();
    }
    backends.forEach(EchoBackend::stop);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private EchoBackend echo(int index) {
    return new EchoBackend(index).start(group, transport);
  }

  private void startBalancer(List<EchoBackend> initial) {
    startBalancerWith(initial.stream().map(EchoBackend::backend).toList());
  }

  private void startBalancerWith(List<Backend> initial) {
    balancer =
        new LeastConnectionsBalancer(
            BalancerConfig.builder()
                .cluster("test")
                .bindAddress("127.0.0.1")
                .port(0)
                .managementPort(0)
                .healthCheckInterval(Duration.ofMillis(100))
                .healthCheckTimeout(Duration.ofMillis(1000))
                .ioThreads(2)
                .backends(initial)
                .build());
    balancer.start();
    awaitHealthy(initial.stream().map(Backend::index).toList());
  }

  private void awaitHealthy(List<Integer> indices) {
    await()
        .until(
            () ->
                balancer.status().stream()
                    .filter(BackendStatus::healthy)
                    .map(s -> s.backend().index())
                    .toList()
                    .containsAll(indices));
  }

  private boolean healthy(int index) {
    return balancer.status().stream()
        .anyMatch(s -> s.backend().index() == index && s.healthy());
  }

  /** Opens n clients at once and waits (bounded) until every upgrade succeeded. */
  private List<WsTestClient> open(int n) throws Exception {
    List<CompletableFuture<WsTestClient>> pending = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      pending.add(WsTestClient.connect(group, transport, balancer.port()));
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    List<WsTestClient> opened = pending.stream().map(CompletableFuture::join).toList();
    clients.addAll(opened);
    return opened;
  }

  /** The HTTP status a client's failed upgrade got back from the balancer. */
  private int rejectedStatus() throws Exception {
    try {
      WsTestClient c = WsTestClient.connect(group, transport, balancer.port()).get(15, TimeUnit.SECONDS);
      clients.add(c);
      return fail("the upgrade unexpectedly succeeded");
    } catch (ExecutionException e) {
      return assertInstanceOf(WebSocketClientHandshakeException.class, e.getCause())
          .response()
          .status()
          .code();
    }
  }

  private Map<String, Long> whoami(List<WsTestClient> cs) throws InterruptedException {
    List<String> names = new ArrayList<>();
    for (WsTestClient c : cs) {
      names.add(c.whoami());
    }
    return names.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
  }

  private String get(int port, String path) throws Exception {
    HttpResponse<String> res =
        HttpClient.newBuilder()
            .proxy(HttpClient.Builder.NO_PROXY)
            .build()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, res.statusCode(), path);
    return res.body();
  }

  @Test
  void threeHundredClientsEndWithinTenPercentOfAHundredPerBackend() throws Exception {
    startBalancer(backends);

    open(300);

    await().until(() -> backends.stream().mapToInt(EchoBackend::connections).sum() == 300);
    for (EchoBackend b : backends) {
      assertTrue(
          b.connections() >= 90 && b.connections() <= 110,
          "backend " + b.index() + " has " + b.connections());
    }
    for (BackendStatus s : balancer.status()) {
      assertEquals(100, s.activeConnections(), s.toString());
    }
  }

  @Test
  void aBackendSwitchedToNotReadyGetsNoNewConnectionsWhileItsExistingOnesKeepWorking()
      throws Exception {
    startBalancer(backends);
    List<WsTestClient> first = open(6);
    assertEquals(Map.of("backend-0", 2L, "backend-1", 2L, "backend-2", 2L), whoami(first));

    backends.get(1).ready(false);
    await().until(() -> !healthy(1));
    List<WsTestClient> second = open(6);

    assertEquals(Map.of("backend-0", 3L, "backend-2", 3L), whoami(second));
    assertEquals(2, backends.get(1).connections());
    for (WsTestClient c : first) {
      c.sendText("still here");
      assertEquals("still here", c.next());
    }
  }

  @Test
  void aNewlyAddedBackendTakesTheNextNewConnections() throws Exception {
    startBalancer(backends.subList(0, 2));
    open(4);

    balancer.setBackends(backends.stream().map(EchoBackend::backend).toList());
    awaitHealthy(List.of(2));
    List<WsTestClient> next = open(2);

    assertEquals(Map.of("backend-2", 2L), whoami(next));
    assertEquals(Map.of("backend-0", 1L), whoami(open(1)), "ties go to the lowest index");
  }

  @Test
  void aRemovedBackendKeepsItsConnectionsButGetsNoNewOnes() throws Exception {
    startBalancer(backends);
    List<WsTestClient> first = open(3);

    balancer.setBackends(List.of(backends.get(1).backend(), backends.get(2).backend()));

    assertEquals(Map.of("backend-1", 1L, "backend-2", 1L), whoami(open(2)));
    assertEquals(Map.of("backend-0", 1L, "backend-1", 1L, "backend-2", 1L), whoami(first));
    BackendStatus removed = balancer.status().get(2);
    assertEquals(new BackendStatus(backends.get(0).backend(), 1, false, true), removed);
  }

  @Test
  void xForwardedForAndProtoReachTheBackend() throws Exception {
    startBalancer(backends.subList(0, 1));

    open(1);

    await().until(() -> !backends.get(0).forwardedFor().isEmpty());
    assertEquals("127.0.0.1", backends.get(0).forwardedFor().peek());
    assertEquals("http", backends.get(0).forwardedProto().peek());
  }

  @Test
  void relaysTheRewrittenHeadAndTheBytesSentRightAfterItUnchanged() throws Exception {
    // A plain TCP echo server as the backend, so the test sees exactly the bytes the balancer sends.
    Channel rawEcho =
        new ServerBootstrap()
            .group(group)
            .channel(transport.serverChannel())
            .childHandler(
                new ChannelInboundHandlerAdapter() {
                  @Override
                  public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ctx.writeAndFlush(msg);
                  }
                })
            .bind("127.0.0.1", 0)
            .syncUninterruptibly()
            .channel();
    try {
      int rawPort = ((InetSocketAddress) rawEcho.localAddress()).getPort();
      startBalancerWith(
          List.of(new Backend(0, "127.0.0.1", rawPort, backends.get(0).backend().managementPort())));
      String sent = "GET /raw HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 9.9.9.9\r\n\r\nBYTES-AFTER-HEAD";
      String expected =
          "GET /raw HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 9.9.9.9, 127.0.0.1\r\n"
              + "X-Forwarded-Proto: http\r\n\r\nBYTES-AFTER-HEAD";

      try (Socket socket = new Socket("127.0.0.1", balancer.port())) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(sent.getBytes(StandardCharsets.ISO_8859_1));
        byte[] echoed = socket.getInputStream().readNBytes(expected.length());
        assertEquals(expected, new String(echoed, StandardCharsets.ISO_8859_1));
      }
      await().until(() -> balancer.status().get(0).activeConnections() == 0);
    } finally {
      rawEcho.close().syncUninterruptibly();
    }
  }

  @Test
  void echoWorksBothWaysIncludingOneMebibyteMessagesAndClosingFreesTheBackend() throws Exception {
    startBalancer(backends.subList(0, 1));
    WsTestClient client = open(1).get(0);

    client.sendText("hello");
    assertEquals("hello", client.next());
    Random random = new Random(42);
    List<byte[]> sent = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      byte[] big = new byte[1024 * 1024];
      random.nextBytes(big);
      sent.add(big);
      client.sendBinary(big);
    }
    for (byte[] expected : sent) {
      assertArrayEquals(expected, (byte[]) client.next());
    }

    client.close();
    await().until(() -> backends.get(0).connections() == 0);
    await().until(() -> balancer.status().get(0).activeConnections() == 0);
  }

  @Test
  void aBackendThatRefusesConnectionsIsSkippedForTheNextBest() throws Exception {
    startBalancer(backends);
    // Its /readyz still says 200, so only the failed connect and the retry keep clients away from it.
    backends.get(0).stopWebSocketPort();

    List<WsTestClient> opened = open(6);

    assertEquals(6, opened.size());
    assertEquals(0, backends.get(0).connections());
    assertEquals(Map.of("backend-1", 3L, "backend-2", 3L), whoami(opened));
  }

  @Test
  void aStoppedBackendsClientsGoToTheOthersAndWithNoneLeftClientsGet502Or503() throws Exception {
    startBalancer(backends);
    backends.get(0).stop();

    assertEquals(Map.of("backend-1", 2L, "backend-2", 2L), whoami(open(4)));

    backends.get(1).stop();
    backends.get(2).stop();
    int status = rejectedStatus();
    assertTrue(status == 502 || status == 503, "status " + status);
    await().until(() -> balancer.status().stream().noneMatch(BackendStatus::healthy));
    assertEquals(503, rejectedStatus());
  }

  @Test
  void noReadyBackendMeans503AndACountedRejection() throws Exception {
    startBalancer(backends);
    backends.forEach(b -> b.ready(false));
    await().until(() -> balancer.status().stream().noneMatch(BackendStatus::healthy));

    assertEquals(503, rejectedStatus());

    String metrics = get(balancer.managementPort(), "/metrics");
    assertTrue(
        metrics.contains(
            "balancer_connections_rejected_total{cluster=\"test\",reason=\"no_healthy_backend\"} 1.0"),
        metrics);
  }

  @Test
  void managementPortServesHealthAndPerShardMetrics() throws Exception {
    startBalancer(backends);
    open(3);

    assertEquals("ok\n", get(balancer.managementPort(), "/healthz"));
    String metrics = get(balancer.managementPort(), "/metrics");
    for (int shard = 0; shard < 3; shard++) {
      String tags = "{cluster=\"test\",shard=\"" + shard + "\"}";
      assertTrue(metrics.contains("balancer_connections_active" + tags + " 1.0"), metrics);
      assertTrue(metrics.contains("balancer_connections_total" + tags + " 1.0"), metrics);
      assertTrue(metrics.contains("balancer_backend_healthy" + tags + " 1.0"), metrics);
      assertTrue(metrics.contains("balancer_health_checks_failed_total" + tags), metrics);
    }
    assertTrue(get(balancer.managementPort(), "/backends").contains("\"connections\":1"));
  }
}
