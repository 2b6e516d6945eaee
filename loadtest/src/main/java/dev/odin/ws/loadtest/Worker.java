package dev.odin.ws.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultSelectStrategyFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SelectStrategyFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;

/**
 * One load-generator process: opens its share of the connections (ramped, spread over loopback
 * source addresses), reports a progress line every second on stdout and its result when told to
 * stop. A coordinator drives it over stdin ({@code target N}, {@code stop}); it never exceeds one
 * process's open-file limit, so many of them make a large run.
 */
public final class Worker {
  /** Long enough for a busy loop to find many sockets ready at once, short against the latencies measured. */
  static final int DEFAULT_READ_PAUSE_MICROS = 500;
  static final String PROGRESS = "@progress ";
  static final String RESULT = "@result ";
  static final String RESET_DONE = "@reset-done";
  static final Set<String> FLAGS = Set.of("index", "connections", "first-index", "urls", "rate", "channels",
      "channels-per-connection", "source-addresses", "io-threads", "connect-timeout-ms", "initial-target", "resume", "read-pause-us",
      "bearer-token", ClientKind.FLAG);
  /** A resuming connection's checker, handed to its next connection so order and gaps are checked across both. */
  private static final io.netty.util.AttributeKey<DeliveryChecker> RESUMED_CHECKER =
      io.netty.util.AttributeKey.valueOf("odin-ws-resumed-checker");
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A saturated loop runs its tasks late: wait generously before calling one lost. */
  private static final int LOOP_TASK_SECONDS = 60;

  /** Set once the run is over: from then on a closing connection is not a failure. */
  static final class StopFlag {
    private volatile boolean stopping;

    boolean stopping() {
      return stopping;
    }

    void stop() {
      stopping = true;
    }
  }

  private final int index;
  private final int connections;
  private final int firstIndex;
  private final double rate;
  private final List<Target> targets;
  private final List<String> channels;
  private final byte[][] channelBytes;
  private final int channelsPerConnection;
  /** Whether a connection the server closes comes back and resumes with since (--resume=true). */
  private final boolean resume;
  private final InetAddress[] sources;
  private final EventLoopGroup group;
  private final Map<EventExecutor, LoopStats> statsByLoop = new IdentityHashMap<>();
  private final Map<String, Long> setupFailures = new ConcurrentHashMap<>();
  private final Bootstrap bootstrap;
  private final StopFlag stop = new StopFlag();
  private final AtomicBoolean fdLimitReported = new AtomicBoolean();
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "worker-ticker");
    t.setDaemon(true);
    return t;
  });
  private final PrintStream out;
  private volatile int target;
  private int attempted;
  /** Each connection's channel while it is connected, by global index: a ramp-down closes the highest. */
  private final Map<Integer, io.netty.channel.Channel> live = new ConcurrentHashMap<>();
  /** Global indices a ramp-down retired: a connection of one of them that the server closes does not come back. */
  private final Set<Integer> retired = ConcurrentHashMap.newKeySet();
  private long rampStartNanos;
  private int rampBase;

  Worker(Args args, PrintStream out) {
    this.out = out;
    index = args.integer("index", 0);
    connections = args.integer("connections", 0);
    firstIndex = args.integer("first-index", 0);
    rate = args.decimal("rate", 1000);
    String token = args.string("bearer-token", "");
    targets = args.list("urls", null).stream().map(url -> Target.parse(url, token)).toList();
    channels = args.list("channels", "");
    channelBytes = channels.stream().map(c -> c.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    channelsPerConnection = Math.min(args.integer("channels-per-connection", channels.size()), channels.size());
    sources = sourceAddresses(args.integer("source-addresses", 16));
    target = Math.min(connections, args.integer("initial-target", connections));
    resume = args.flag("resume");
    int threads = args.integer("io-threads", Runtime.getRuntime().availableProcessors());
    boolean epoll = Epoll.isAvailable();
    int readPauseMicros = ClientKind.of(args).readPauseMicros(args);
    SelectStrategyFactory reads = readPauseMicros > 0
        ? () -> new BatchedReads(readPauseMicros) : DefaultSelectStrategyFactory.INSTANCE;
    group = new MultiThreadIoEventLoopGroup(threads, epoll ? EpollIoHandler.newFactory(0, reads) : NioIoHandler.newFactory());
    for (EventExecutor e : group) {
      statsByLoop.put(e, new LoopStats());
    }
    if (!epoll) {
      System.err.println("worker " + index + ": epoll unavailable (" + Epoll.unavailabilityCause() + "), using NIO");
    }
    bootstrap = new Bootstrap()
        .group(group)
        .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, args.integer("connect-timeout-ms", 10_000))
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            // The global index picks this connection's target and channels, so spreading is even across workers.
            int global = (Integer) ch.attr(ConnectionIndex.KEY).get();
            Target t = targets.get(global % targets.size());
            LoopStats stats = statsByLoop.get(ch.eventLoop());
            DeliveryChecker resumed = ch.attr(RESUMED_CHECKER).get();
            DeliveryChecker checker = resumed != null ? resumed : new DeliveryChecker(channelBytes, stats, resume);
            ch.pipeline().addLast(new ClientConnection(t, subscribeFrame(global, checker), checker, stats, stop,
                resume ? (closed) -> reconnect(global, checker, closed) : null));
            live.put(global, ch);
            ch.closeFuture().addListener(f -> live.remove(global, ch));
          }
        });
    if (epoll) {
      // The kernel picks the source port at connect() time from the whole 4-tuple, not at bind().
      bootstrap.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
    }
  }

  static InetAddress[] sourceAddresses(int count) {
    InetAddress[] out = new InetAddress[Math.max(1, Math.min(count, 250))];
    try {
      for (int i = 0; i < out.length; i++) {
        out[i] = InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + i)});
      }
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  /**
   * The masked (zero key) subscribe frame for connection {@code global}, or null for no subscription;
   * with {@code since} for every channel the checker has a position for (a resuming connection).
   */
  byte[] subscribeFrame(int global, DeliveryChecker checker) {
    if (channelsPerConnection == 0) {
      return null;
    }
    StringBuilder json = new StringBuilder("{\"type\":\"subscribe\",\"channels\":[");
    StringBuilder since = new StringBuilder();
    for (int j = 0; j < channelsPerConnection; j++) {
      if (j > 0) {
        json.append(',');
      }
      int index = (global + j) % channels.size();
      json.append('"').append(channels.get(index)).append('"');
      String position = checker.lastPosition(index);
      if (position != null) {
        since.append(since.length() == 0 ? "" : ",").append('"').append(channels.get(index)).append("\":\"")
            .append(position).append('"');
      }
    }
    json.append(']');
    if (since.length() > 0) {
      json.append(",\"since\":{").append(since).append('}');
    }
    json.append('}');
    byte[] payload = json.toString().getBytes(StandardCharsets.UTF_8);
    return maskedTextFrame(payload);
  }

  static byte[] maskedTextFrame(byte[] payload) {
    int ext = payload.length <= 125 ? 0 : 2;
    byte[] frame = new byte[2 + ext + 4 + payload.length];
    frame[0] = (byte) 0x81;
    if (ext == 0) {
      frame[1] = (byte) (0x80 | payload.length);
    } else {
      frame[1] = (byte) (0x80 | 126);
      frame[2] = (byte) (payload.length >> 8);
      frame[3] = (byte) payload.length;
    }
    // A zero masking key leaves the payload as it is.
    System.arraycopy(payload, 0, frame, 2 + ext + 4, payload.length);
    return frame;
  }

  /** Runs until {@code stop} (or the end of stdin), then prints the result line. */
  void run() throws Exception {
    FileLimit limit = FileLimit.read();
    if (limit.soft() > 0 && connections > limit.soft() - FileLimit.RESERVED) {
      System.err.printf("worker %d: asked for %d connections but its open-file limit is %d (hard %d): "
          + "it can hold about %d; the rest will fail as fd_limit%n", index, connections, limit.soft(), limit.hard(),
          limit.soft() - FileLimit.RESERVED);
    }
    rampStartNanos = System.nanoTime();
    ticker.scheduleAtFixedRate(this::rampTick, 0, 10, TimeUnit.MILLISECONDS);
    ticker.scheduleAtFixedRate(this::progress, 1, 1, TimeUnit.SECONDS);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      line = line.trim();
      if (line.startsWith("target ")) {
        int next = Math.min(connections, Integer.parseInt(line.substring(7).trim()));
        ticker.execute(() -> {
          rampBase = attempted;
          rampStartNanos = System.nanoTime();
          target = next;
        });
      } else if (line.equals("reset")) {
        try {
          reset();
        } catch (Exception e) {
          System.err.println("worker " + index + ": reset failed: " + e);
        }
      } else if (line.equals("stop")) {
        break;
      }
    }
    finish();
  }

  void finish() throws Exception {
    ticker.shutdownNow();
    stop.stop();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("index", index);
    result.put("tally", snapshot());
    result.put("histogram", encode(histogram()));
    synchronized (out) {
      out.println(RESULT + JSON.writeValueAsString(result));
      out.flush();
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
  }

  /** Forgets the warm-up's deliveries on every loop, then says so with a fresh progress line. */
  private void reset() throws Exception {
    // Collect the ramp's and warm-up's garbage now: a young collection of the worker inside the measured window
    // stops its loops for tens of milliseconds and shows up as the shard's latency.
    System.gc();
    for (EventExecutor e : group) {
      LoopStats s = statsByLoop.get(e);
      e.submit(() -> {
        s.tally.resetDeliveries();
        s.latencyMicros.reset();
      }).get(LOOP_TASK_SECONDS, TimeUnit.SECONDS);
    }
    progress();
    synchronized (out) {
      out.println(RESET_DONE);
      out.flush();
    }
  }

  private void rampTick() {
    double elapsed = (System.nanoTime() - rampStartNanos) / 1e9;
    if (target < attempted) {
      // A ramp-down, at the ramp's rate: the highest indices leave first, each closed by the client with 1000.
      long allowedDown = Math.max(target, rampBase - (long) (elapsed * rate) - 1);
      while (attempted > allowedDown) {
        attempted--;
        int global = firstIndex + attempted;
        retired.add(global);
        io.netty.channel.Channel ch = live.get(global);
        if (ch != null) {
          ClientConnection connection = ch.pipeline().get(ClientConnection.class);
          ch.eventLoop().execute(connection::leave);
        }
      }
      return;
    }
    long allowed = Math.min(target, rampBase + (long) (elapsed * rate) + 1);
    while (attempted < allowed) {
      retired.remove(firstIndex + attempted);
      connect(firstIndex + attempted);
      attempted++;
    }
  }

  /**
   * Connects again after the server closed a connection (drain 1012, slow 4008, a crash), on the same
   * event loop, so the carried-over checker keeps one owner thread; the new connection resumes with since.
   */
  private void reconnect(int global, DeliveryChecker checker, io.netty.channel.Channel closed) {
    if (stop.stopping() || retired.contains(global)) {
      return;
    }
    Bootstrap b = bootstrap.clone(closed.eventLoop()).attr(ConnectionIndex.KEY, global).attr(RESUMED_CHECKER, checker);
    InetSocketAddress remote = targets.get(global % targets.size()).address();
    InetSocketAddress local = new InetSocketAddress(sources[global % sources.length], 0);
    b.connect(remote, local).addListener(done -> {
      if (!done.isSuccess()) {
        statsByLoop.get(closed.eventLoop()).tally.fail("resume_" + Failures.classify(done.cause()));
      }
    });
  }

  private void connect(int global) {
    Bootstrap b = bootstrap.clone().attr(ConnectionIndex.KEY, global);
    InetSocketAddress remote = targets.get(global % targets.size()).address();
    InetSocketAddress local = new InetSocketAddress(sources[global % sources.length], 0);
    ChannelFuture f;
    try {
      f = b.connect(remote, local);
    } catch (RuntimeException e) {
      setupFailed(Failures.classify(e));
      return;
    }
    f.addListener(done -> {
      LoopStats stats = statsByLoop.get(f.channel().eventLoop());
      if (stats == null) {
        // The channel never reached a loop (e.g. socket() failed): count it here.
        if (!done.isSuccess()) {
          setupFailed(Failures.classify(done.cause()));
        }
        return;
      }
      stats.tally.attempted++;
      if (!done.isSuccess()) {
        String cause = Failures.classify(done.cause());
        stats.tally.fail(cause);
        reportFdLimit(cause);
      }
    });
  }

  private void setupFailed(String cause) {
    setupFailures.merge(cause, 1L, Long::sum);
    reportFdLimit(cause);
  }

  private void reportFdLimit(String cause) {
    if (Failures.FD_LIMIT.equals(cause) && fdLimitReported.compareAndSet(false, true)) {
      FileLimit limit = FileLimit.read();
      System.err.printf("worker %d: the system refused a new socket (EMFILE) after %d attempts: open-file limit "
          + "%d, hard limit %d; it cannot be raised further here. Use more workers (--per-worker).%n",
          index, attempted, limit.soft(), limit.hard());
    }
  }

  Tally snapshot() throws Exception {
    Tally sum = new Tally();
    for (EventExecutor e : group) {
      LoopStats s = statsByLoop.get(e);
      sum.add(e.submit(s.tally::copy).get(LOOP_TASK_SECONDS, TimeUnit.SECONDS));
    }
    setupFailures.forEach((k, v) -> {
      sum.failures.merge(k, v, Long::sum);
      sum.attempted += v;
    });
    return sum;
  }

  Histogram histogram() throws Exception {
    Histogram sum = new Histogram(LoopStats.HIGHEST_MICROS, 3);
    for (EventExecutor e : group) {
      LoopStats s = statsByLoop.get(e);
      sum.add(e.submit(s.latencyMicros::copy).get(LOOP_TASK_SECONDS, TimeUnit.SECONDS));
    }
    return sum;
  }

  private void progress() {
    try {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("index", index);
      p.put("target", target);
      p.put("tally", snapshot());
      String line = PROGRESS + JSON.writeValueAsString(p);
      synchronized (out) {
        out.println(line);
        out.flush();
      }
    } catch (Exception e) {
      System.err.println("worker " + index + ": progress failed: " + e);
    }
  }

  static String encode(Histogram h) {
    ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int n = h.encodeIntoCompressedByteBuffer(buffer);
    return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), n));
  }

  static Histogram decode(String base64) {
    try {
      return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
    } catch (java.util.zip.DataFormatException e) {
      throw new IllegalArgumentException("bad histogram from a worker", e);
    }
  }

  static void main(Args args) {
    try {
      new Worker(args, System.out).run();
    } catch (Throwable t) {
      System.err.println("worker: " + t);
      t.printStackTrace();
    } finally {
      // The event loops are not daemons: a worker must never outlive its coordinator.
      System.exit(0);
    }
  }

  /** The global index of a connection, set on its bootstrap so the initializer can pick target and channels. */
  private static final class ConnectionIndex {
    static final io.netty.util.AttributeKey<Integer> KEY = io.netty.util.AttributeKey.valueOf("odin.loadtest.index");
  }
}
