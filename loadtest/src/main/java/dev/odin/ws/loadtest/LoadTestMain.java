package dev.odin.ws.loadtest;

import dev.odin.ws.kafka.EmbeddedKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/** Entry point: {@code run} (the load test), {@code publish}, {@code kafka} (a standalone broker), {@code worker}. */
public final class LoadTestMain {
  private static final Set<String> PUBLISH_FLAGS = Set.of("bootstrap", "topic", "channels", "rate", "size",
      "seconds", "linger-ms");
  private static final Set<String> KAFKA_FLAGS = Set.of("topics", "bootstrap-file");

  private LoadTestMain() {}

  public static void main(String[] argv) throws Exception {
    if (argv.length == 0 || argv[0].equals("help") || argv[0].equals("--help") || argv[0].equals("-h")) {
      usage();
      return;
    }
    String[] rest = Arrays.copyOfRange(argv, 1, argv.length);
    try {
      switch (argv[0]) {
        case "run" -> {
          if (java.util.Arrays.stream(rest).anyMatch(a -> a.startsWith("--plan="))) {
            RampSession.runPlan(rest, System.err);
          } else {
            new Coordinator(new Args(rest, Coordinator.FLAGS), System.err).run();
          }
          System.exit(0);
        }
        case "worker" -> Worker.main(new Args(rest, Worker.FLAGS));
        case "publish" -> publish(new Args(rest, PUBLISH_FLAGS));
        case "kafka" -> kafka(new Args(rest, KAFKA_FLAGS));
        default -> {
          System.err.println("loadtest: unknown command '" + argv[0] + "'");
          usage();
          System.exit(2);
        }
      }
    } catch (IllegalArgumentException e) {
      System.err.println("loadtest: " + e.getMessage());
      System.exit(2);
    }
  }

  private static void usage() {
    System.err.println("""
        usage: loadtest <command> --flag=value ...
          run      WebSocket clients (forked workers) and optionally a publisher; JSON summary on stdout
                   --url=ws://127.0.0.1:8080/ws[,ws://...]  --connections=N  --rate=CONN_PER_S
                   --channels=a,b  --channels-per-connection=K  --per-worker=19000  --workers=W
                   --source-addresses=16 (127.0.0.2..)  --io-threads=nproc  --steps=0,10000,19000
                   --client=batched (a busy event loop sleeps --read-pause-us=500 before each epoll_wait, so
                   one wait finds many sockets ready; latencies read up to this late) or --client=per-message
                   (no pause: one read per readiness event, each message wakes its client, as a browser does)
                   --ready-urls=http://127.0.0.1:9090/readyz  --server-pids=PID,...  --measure-memory=true
                   --bearer-token=JWT (sent as Authorization: Bearer on every upgrade)
                   --publish-bootstrap=HOST:PORT --publish-topic=T --publish-rate=R --publish-size=100
                   --publish-rate=max (closed-loop: as fast as the records are delivered, at most
                   --publish-window=1000 records sent and not yet delivered to every subscriber)
                   --publish-seconds=10 --publish-channels=a --linger-ms=0  --warmup-seconds=S (published,
                   then forgotten)  --hold-seconds=S  --drain-max-s=15
                   --publish-spread=true (each channel's records go round-robin over every partition of its
                   topic: a channel fed from several partitions, checked partition by partition)
                   --resume=true (a connection the server closes reconnects and resumes with since;
                   order and gaps are checked across both connections, in every partition)
                   --plan=4000:60,1000:90 (ramp to 4,000 at --rate and hold 60 s, then down to 1,000 and hold
                   90 s: the client closes the highest connections with 1000; publishing at --publish-rate runs
                   throughout; --connections is the most ever open)
                   --worker-java-opts="..." (default: -Xmx1g, no Netty checks)  --out=F
          publish  records to Kafka at a fixed rate and size
                   --bootstrap=HOST:PORT --topic=T --channels=a,b --rate=R --size=100 --seconds=10
          kafka    a standalone embedded broker until SIGTERM  --topics=name:partitions,...  --bootstrap-file=F
        """);
  }

  private static void publish(Args args) throws Exception {
    try (Publisher p = new Publisher(args.required("bootstrap"), args.string("topic", "bench"),
        args.list("channels", "bench"), args.integer("size", 100), args.decimal("rate", 100),
        args.integer("linger-ms", 0))) {
      long[] last = {0};
      Thread progress = EverySecond.start("progress", () -> {
        long now = p.sent.get();
        System.err.printf("published %d (+%d/s), errors %d%n", now, now - last[0], p.errors.get());
        last[0] = now;
      });
      Publisher.Result r = p.run(args.decimal("seconds", 10));
      progress.interrupt();
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("records", r.records());
      s.put("errors", r.errors());
      s.put("seconds", r.seconds());
      s.put("rate", r.rate());
      s.put("recordBytes", r.size());
      s.put("conditions", Machine.conditions());
      System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(s));
    }
  }

  private static void kafka(Args args) throws Exception {
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      broker.close();
      stopped.countDown();
    }, "kafka-stop"));
    for (String spec : args.list("topics", "bench:1")) {
      String[] parts = spec.split(":");
      broker.createTopics(parts.length > 1 ? Integer.parseInt(parts[1]) : 1, parts[0]);
    }
    String bootstrap = broker.bootstrapServers();
    String file = args.string("bootstrap-file", null);
    if (file != null) {
      Path tmp = Path.of(file + ".tmp");
      Files.writeString(tmp, bootstrap + "\n");
      Files.move(tmp, Path.of(file), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
    System.out.println("bootstrap=" + bootstrap + " topics=" + List.of(args.list("topics", "bench:1")));
    System.out.flush();
    stopped.await();
  }
}
