package dev.odin.ws.testenv;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where pod IPs come from: x.y.z.N of a /24, N from 2 to 254, the lowest free one first, so an address is reused
 * once its pod is gone. An address is claimed machine-wide (a file lock under {@code /tmp/odin-ws-pod-addresses}),
 * so kubelets of concurrent test runs never hand out the same one; an address where one of the pod's container ports
 * is already taken by some other program is skipped.
 *
 * <p>{@link #loopback()} (127.0.0.N) needs nothing, but the API server refuses loopback addresses in EndpointSlices
 * and Endpoints, so Services get no endpoints for such pods. {@link #localRoute(String)} uses a private range made
 * local to this machine by a route on {@code lo} ({@code ip route add local 10.244.0.0/24 dev lo}): traffic stays on
 * loopback, and the EndpointSlice controller accepts the addresses.
 */
public final class PodNetwork {
  static final int FIRST = 2;
  static final int LAST = 254;
  private static final Map<String, BitSet> IN_USE = new ConcurrentHashMap<>();
  private static final Map<String, FileLock> CLAIMS = new ConcurrentHashMap<>();
  // Not java.io.tmpdir: every JVM on the machine must look in the same place.
  private static final Path CLAIM_DIR = Path.of("/tmp", "odin-ws-pod-addresses");

  private final String cidr;
  private final String prefix;

  private PodNetwork(String cidr, String prefix) {
    this.cidr = cidr;
    this.prefix = prefix;
  }

  /** 127.0.0.N: works anywhere; no EndpointSlices for these pods. */
  public static PodNetwork loopback() {
    return loopback("127.0.0.0/24");
  }

  /** Another /24 of loopback, e.g. {@code 127.0.42.0/24}: a range of a test's own, shared with no other test. */
  public static PodNetwork loopback(String cidr) {
    if (!cidr.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.0/24")) {
      throw new IllegalArgumentException("a loopback pod network is a /24 of 127.0.0.0/8 such as 127.0.42.0/24, not "
          + cidr);
    }
    return new PodNetwork(cidr, cidr.substring(0, cidr.lastIndexOf('.') + 1));
  }

  /**
   * The addresses of {@code cidr} (an IPv4 /24 such as {@code 10.244.0.0/24}), made local with a route on lo if none
   * exists yet. Adding the route needs root or CAP_NET_ADMIN; the route stays (it is shared with other test runs on
   * the machine and harmless: nothing else uses the range).
   */
  public static PodNetwork localRoute(String cidr) {
    if (!cidr.matches("(\\d{1,3}\\.){3}0/24")) {
      throw new IllegalArgumentException("a pod network is an IPv4 /24 such as 10.244.0.0/24, not " + cidr);
    }
    PodNetwork network = new PodNetwork(cidr, cidr.substring(0, cidr.lastIndexOf('.') + 1));
    if (!network.isLocal()) {
      CommandResult added = CommandResult.run(List.of(ip(), "route", "add", "local", cidr, "dev", "lo"), Map.of(),
          null, Duration.ofSeconds(10));
      if (!network.isLocal()) {
        throw new IllegalStateException("pod network " + cidr + " is not local on this machine and adding it "
            + "failed (it needs root or CAP_NET_ADMIN); as root: ip route add local " + cidr + " dev lo\n" + added);
      }
    }
    return network;
  }

  public String cidr() {
    return cidr;
  }

  /** The lowest free address at which every one of {@code ports} can be bound; empty when none is left. */
  Optional<String> allocate(Collection<Integer> ports) {
    BitSet used = IN_USE.computeIfAbsent(cidr, c -> new BitSet());
    synchronized (used) {
      for (int n = used.nextClearBit(FIRST); n <= LAST; n = used.nextClearBit(n + 1)) {
        String address = prefix + n;
        Optional<FileLock> claim = claim(address);
        if (claim.isEmpty()) {
          continue;
        }
        if (ports.stream().allMatch(port -> bindable(address, port))) {
          used.set(n);
          CLAIMS.put(address, claim.get());
          return Optional.of(address);
        }
        unclaim(claim.get());
      }
    }
    return Optional.empty();
  }

  void release(String address) {
    BitSet used = IN_USE.get(cidr);
    synchronized (used) {
      Optional.ofNullable(CLAIMS.remove(address)).ifPresent(PodNetwork::unclaim);
      used.clear(Integer.parseInt(address.substring(prefix.length())));
    }
  }

  // Kubelets of other test JVMs on this machine (another module, another checkout) hand out the same addresses: a
  // lock on a file per address, held while the pod lives and dropped by the OS when the JVM ends, keeps them apart.
  private static Optional<FileLock> claim(String address) {
    try {
      Files.createDirectories(CLAIM_DIR);
      FileChannel channel = FileChannel.open(CLAIM_DIR.resolve(address + ".lock"), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
      }
      return Optional.ofNullable(lock);
    } catch (IOException | OverlappingFileLockException e) {
      return Optional.empty();
    }
  }

  private static void unclaim(FileLock lock) {
    try {
      lock.channel().close();
    } catch (IOException e) {
      // closing releases the lock; a failure leaves it to the JVM's exit
    }
  }

  private boolean isLocal() {
    return bindable(prefix + FIRST, 0);
  }

  private static boolean bindable(String address, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(address), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  // Debian keeps ip in /usr/sbin or /sbin, which a test JVM's PATH may lack.
  private static String ip() {
    return List.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip").stream()
        .filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse("ip");
  }

  @Override
  public String toString() {
    return cidr;
  }
}
