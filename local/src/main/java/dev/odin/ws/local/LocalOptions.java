package dev.odin.ws.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The command line of {@code ./odin-ws local}, parsed once. {@code shardJar}, {@code watchdogJar},
 * {@code stateDir} and {@code demoRoot} (the JavaScript client's directory, whose demo page {@code --demo} serves)
 * are filled in by the script, not typed by users.
 */
public record LocalOptions(Path file, boolean demo, double demoRate, OptionalInt port, Path shardJar,
    Path watchdogJar, Path stateDir, Optional<Path> demoRoot, Optional<Path> timeline) {

  /** The public port when none is given: the local balancer's documented default. */
  public static final int DEFAULT_PORT = 8000;

  public static final String USAGE =
      "usage: ./odin-ws local -f FILE [--demo [--rate N]] [--port P] [--timeline OUT]\n"
          + "  -f FILE     a WsCluster YAML (spec.kafka.bootstrapServers: embedded starts a Kafka broker here)\n"
          + "  --demo      publish sample records on BTC-USD, ETH-USD and SOL-USD, and serve a page that shows them\n"
          + "  --rate N    demo records per second over all channels (default 5)\n"
          + "  --port P    the public WebSocket port (default " + DEFAULT_PORT + ", or a free one if it is taken;"
          + " 0 = any free port)\n"
          + "  --timeline OUT  write one JSON line a second to OUT: each shard's connections and state, the\n"
          + "              autoscaler's decision and the rebalance's progress";

  public static LocalOptions parse(String... args) {
    Path file = null;
    boolean demo = false;
    double rate = 5;
    OptionalInt port = OptionalInt.empty();
    Path shardJar = null;
    Path watchdogJar = null;
    Path stateDir = Path.of("local-run");
    Optional<Path> demoRoot = Optional.empty();
    Optional<Path> timeline = Optional.empty();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "-f", "--file" -> file = Path.of(value(args, ++i, arg));
        case "--demo" -> demo = true;
        case "--rate" -> rate = number(value(args, ++i, arg), arg);
        case "--port" -> port = OptionalInt.of(port(value(args, ++i, arg)));
        case "--shard-jar" -> shardJar = Path.of(value(args, ++i, arg));
        case "--watchdog-jar" -> watchdogJar = Path.of(value(args, ++i, arg));
        case "--state-dir" -> stateDir = Path.of(value(args, ++i, arg));
        case "--demo-root" -> demoRoot = Optional.of(Path.of(value(args, ++i, arg)));
        case "--timeline" -> timeline = Optional.of(Path.of(value(args, ++i, arg)));
        default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
      }
    }
    require(file != null, "-f FILE is required");
    require(shardJar != null, "--shard-jar is required (the odin-ws script sets it)");
    require(watchdogJar != null, "--watchdog-jar is required (the odin-ws script sets it)");
    require(rate > 0, "--rate must be greater than 0");
    // Checked here: a missing jar would otherwise show up only as shards that keep dying and restarting.
    requireJar(shardJar);
    requireJar(watchdogJar);
    return new LocalOptions(file, demo, rate, port, shardJar, watchdogJar, stateDir, demoRoot, timeline);
  }

  private static String value(String[] args, int i, String flag) {
    require(i < args.length, flag + " needs a value");
    return args[i];
  }

  private static double number(String raw, String flag) {
    try {
      return Double.parseDouble(raw);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + ": '" + raw + "' is not a number");
    }
  }

  private static int port(String raw) {
    try {
      int p = Integer.parseInt(raw);
      require(p >= 0 && p <= 65535, "--port must be between 0 and 65535, was " + p);
      return p;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--port: '" + raw + "' is not a port number");
    }
  }

  private static void requireJar(Path jar) {
    require(Files.isRegularFile(jar), "no " + jar + " (build it: mvn -B -q -pl local -am package -DskipTests)");
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
