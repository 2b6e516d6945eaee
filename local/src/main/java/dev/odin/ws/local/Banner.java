package dev.odin.ws.local;

import dev.odin.ws.api.Autoscaler;
import dev.odin.ws.api.AutoscalingSpec;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterDefaults;
import dev.odin.ws.api.WsClusterSpec;
import dev.odin.ws.balancer.LeastConnectionsBalancer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.OptionalInt;

/** What the user sees once everything runs: where to connect, how to publish, how to scale and stop. */
final class Banner {
  /** The line tests and scripts read the port from. */
  static final String CONNECT = "  connect    ws://127.0.0.1:";
  /** The line tests read the demo page's address from. */
  static final String PAGE = "  demo page  http://127.0.0.1:";

  private Banner() {}

  static void print(PrintStream out, LocalOptions options, WsCluster cr, KafkaEndpoint kafka,
      LeastConnectionsBalancer balancer, Path runDir, boolean demo, OptionalInt pagePort) {
    String file = options.file().toString();
    String heap = ShardCommand.heapMib(cr) + " MiB heap";
    String cpus = ShardCommand.cpus(cr).map(n -> n + " CPU, ").orElse("");
    out.println("odin-ws local: WsCluster \"" + cr.getMetadata().getName() + "\" is up");
    out.println("  kafka      " + (kafka.embedded() ? "embedded broker at " : "") + kafka.bootstrapServers()
        + ", topics " + WsClusterDefaults.topics(cr).stream().map(t -> t.getName()).toList());
    out.println("  shards     " + WsClusterDefaults.shards(cr) + " processes (" + cpus + heap + " each), logs in "
        + runDir);
    out.println(CONNECT + balancer.port() + "/ws");
    pagePort.ifPresent(port -> out.println(PAGE + port + "/  (live ticks through the JavaScript client, the shard"
        + " it is on, and a button that drains that shard)"));
    out.println("  balancer   http://127.0.0.1:" + balancer.managementPort() + "/backends and /metrics");
    out.println("  subscribe  send {\"type\":\"subscribe\",\"channels\":[\"BTC-USD\"]}"
        + (demo ? "  (the demo publishes BTC-USD, ETH-USD, SOL-USD)" : ""));
    out.println("  publish    ./odin-ws publish -f " + file + " BTC-USD '{\"price\":1}'");
    out.println("  scale      edit spec.shards in " + file);
    AutoscalingSpec.Mode mode = WsClusterDefaults.autoscalingMode(cr);
    if (mode != AutoscalingSpec.Mode.Off) {
      Autoscaler.Policy p = WsClusterDefaults.autoscalingPolicy(cr);
      out.println("  autoscale  mode " + mode + ": " + p.minShards() + " to " + p.maxShards() + " shards at "
          + p.targetConnectionsPerShard() + " connections per shard"
          + (p.targetCpuUtilization() == null ? "" : " or CPU " + p.targetCpuUtilization() + " per shard")
          + (mode == AutoscalingSpec.Mode.Auto ? "; an edit of spec.shards is left alone for "
              + p.scaleDownStabilizationSeconds() + " s" : " (printed, not applied)"));
    }
    if (WsClusterDefaults.rebalance(cr) == WsClusterSpec.Rebalance.Auto) {
      out.println("  rebalance  after a scale-up, shards above the mean shed clients to the new ones");
    }
    out.println("  stop       Ctrl-C");
  }
}
