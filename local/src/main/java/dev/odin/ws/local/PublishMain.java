package dev.odin.ws.local;

import dev.odin.ws.api.InvalidWsClusterException;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterDefaults;
import dev.odin.ws.api.WsClusterYaml;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * {@code ./odin-ws publish [-f FILE] CHANNEL PAYLOAD}: one record to the cluster's first topic, addressed to
 * CHANNEL. With an embedded broker it finds the running {@code ./odin-ws local} of the same cluster name.
 */
public final class PublishMain {
  static final String USAGE = "usage: ./odin-ws publish [-f FILE] CHANNEL PAYLOAD";

  private PublishMain() {}

  public static void main(String[] args) {
    Path file = Path.of("examples/wscluster-local.yaml");
    Path stateDir = Path.of("local-run");
    List<String> positional = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "-f", "--file" -> file = Path.of(next(args, ++i));
        case "--state-dir" -> stateDir = Path.of(next(args, ++i));
        default -> positional.add(args[i]);
      }
    }
    if (positional.size() != 2) {
      fail(2, USAGE);
    }
    try {
      WsCluster cr = WsClusterYaml.load(file);
      String bootstrap = bootstrapServers(cr, stateDir, file);
      String topic = WsClusterDefaults.topics(cr).get(0).getName();
      try (KafkaProducer<String, String> producer = Records.producer(bootstrap)) {
        RecordMetadata m = producer.send(Records.forChannel(topic, positional.get(0), positional.get(1)))
            .get(30, TimeUnit.SECONDS);
        System.out.println("published to channel " + positional.get(0) + " (" + m.topic() + "-" + m.partition()
            + " offset " + m.offset() + ")");
      }
    } catch (InvalidWsClusterException | IllegalStateException e) {
      fail(2, "odin-ws publish: " + e.getMessage());
    } catch (Exception e) {
      fail(1, "odin-ws publish: could not publish: " + e);
    }
  }

  private static String bootstrapServers(WsCluster cr, Path stateDir, Path file) {
    if (!KafkaEndpoint.isEmbedded(cr)) {
      return cr.getSpec().getKafka().getBootstrapServers();
    }
    String name = cr.getMetadata().getName();
    return LocalState.read(LocalState.file(stateDir, name)).map(LocalState::bootstrapServers)
        .orElseThrow(() -> new IllegalStateException("WsCluster \"" + name + "\" uses the embedded broker, and no "
            + "./odin-ws local of it is running; start one with ./odin-ws local -f " + file));
  }

  private static String next(String[] args, int i) {
    if (i >= args.length) {
      fail(2, USAGE);
    }
    return args[i];
  }

  private static void fail(int code, String message) {
    System.err.println(message);
    System.exit(code);
  }
}
