package dev.odin.ws.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.ws.shard.testing.WsClients;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** Many {@link ResumingSubscriber}s, spread over channels, and what they must have seen. */
final class Subscribers implements AutoCloseable {
  private final WsClients clients = new WsClients();
  private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, r -> {
    Thread t = new Thread(r, "subscribers");
    t.setDaemon(true);
    return t;
  });
  private final List<ResumingSubscriber> all = new ArrayList<>();

  /**
   * {@code count} subscribers, round-robin over {@code channels}, each connecting through {@code balancer} with
   * {@code Authorization: Bearer <bearerToken>}.
   */
  Subscribers(int count, List<String> channels, Supplier<URI> balancer, String bearerToken) {
    for (int i = 0; i < count; i++) {
      all.add(new ResumingSubscriber(channels.get(i % channels.size()), clients, balancer, bearerToken, timer));
    }
  }

  /** Connects every subscriber and waits until each is subscribed. */
  Subscribers connectAll(Duration timeout) {
    all.forEach(ResumingSubscriber::connect);
    awaitConnected(timeout);
    return this;
  }

  void awaitConnected(Duration timeout) {
    await("every subscriber connected and subscribed").atMost(timeout)
        .until(() -> all.stream().allMatch(ResumingSubscriber::connected));
  }

  List<ResumingSubscriber> all() {
    return all;
  }

  /** How many subscribers are connected to each shard now. */
  Map<URI, Long> byShard() {
    return all.stream().filter(s -> s.shard() != null)
        .collect(Collectors.groupingBy(ResumingSubscriber::shard, TreeMap::new, Collectors.counting()));
  }

  /**
   * Waits until every subscriber has received a record: one that subscribed just after its channel's last record
   * went by would otherwise wait for a record that never comes once the publisher stops.
   */
  void awaitFirstRecord(Duration timeout) {
    await("every subscriber received a record").atMost(timeout)
        .until(() -> all.stream().noneMatch(s -> s.seqs().isEmpty()));
  }

  /**
   * Waits until every subscriber has its channel's last record, then checks that each saw every record from its
   * first one on exactly once and in order; returns how many records were checked in all.
   */
  long assertEveryRecordOnceInOrder(Map<String, Integer> lastSeq, Duration timeout) {
    await("every subscriber has its channel's last record").atMost(timeout).untilAsserted(() -> {
      List<String> behind = new ArrayList<>();
      for (ResumingSubscriber s : all) {
        List<Integer> seqs = s.seqs();
        if (seqs.isEmpty() || seqs.get(seqs.size() - 1) < lastSeq.get(s.channel())) {
          behind.add(s.channel() + " last " + lastSeq.get(s.channel()) + ": received " + seqs.size() + " ending "
              + seqs.subList(Math.max(0, seqs.size() - 5), seqs.size()) + ", close codes " + s.closeCodes()
              + ", resumes recovered " + s.recovered() + ", on " + s.shard());
        }
      }
      assertEquals(List.of(), behind.subList(0, Math.min(5, behind.size())),
          () -> behind.size() + " subscriber(s) without their channel's last record");
    });
    long checked = 0;
    for (ResumingSubscriber s : all) {
      List<Integer> seqs = s.seqs();
      int first = seqs.get(0);
      List<Integer> expected = new ArrayList<>();
      for (int seq = first; seq <= lastSeq.get(s.channel()); seq++) {
        expected.add(seq);
      }
      assertEquals(expected, seqs, () -> "subscriber of " + s.channel() + " (close codes " + s.closeCodes()
          + "): a record missing, repeated or out of order");
      checked += seqs.size();
    }
    return checked;
  }

  /** Every resume said {@code recovered: true}: no shard reported a gap it could not fill. */
  void assertEveryResumeRecovered() {
    for (ResumingSubscriber s : all) {
      assertTrue(s.recovered().stream().allMatch(Boolean::booleanValue), () -> "a resume was not recovered: "
          + s.recovered());
    }
  }

  @Override
  public void close() {
    all.forEach(ResumingSubscriber::finish);
    timer.shutdownNow();
    clients.close();
  }
}
