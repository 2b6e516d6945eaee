package dev.odin.ws.shard.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.odin.ws.shard.metrics.ShardMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The fan-out path under paranoid leak detection: one buffer per channel, one reference per subscriber. */
class FanOutTest {
  private final EmbeddedChannel loop = new EmbeddedChannel();
  private final ShardMetrics metrics = new ShardMetrics("test", 0);
  private final FanOut fanOut = new FanOut(List.of(loop.eventLoop()), metrics);

  /** A subscriber backed by its own EmbeddedChannel, so what it is sent can be read back. */
  private static class ChannelSubscriber implements Subscriber {
    final EmbeddedChannel channel = new EmbeddedChannel();
    boolean writable = true;
    boolean fellBehind;
    boolean marked;
    int flushes;

    @Override public boolean isWritable() { return writable; }
    @Override public boolean writeFrames(ChannelFrames frames) {
      channel.write(frames.frames().retainedDuplicate());
      return true;
    }
    @Override public boolean markForFlush() { boolean first = !marked; marked = true; return first; }
    @Override public void flush() { marked = false; flushes++; channel.flush(); }
    @Override public void fellBehind() { fellBehind = true; }

    List<String> received() {
      List<String> out = new ArrayList<>();
      for (Object msg = channel.readOutbound(); msg != null; msg = channel.readOutbound()) {
        ByteBuf buf = (ByteBuf) msg;
        out.add(buf.toString(StandardCharsets.UTF_8));
        buf.release();
      }
      return out;
    }
  }

  private static ChannelFrames frames(String channel, String... payloads) {
    ChannelFrames.Builder builder = new ChannelFrames.Builder(channel);
    for (int i = 0; i < payloads.length; i++) {
      builder.frames().writeCharSequence(payloads[i], StandardCharsets.UTF_8);
      builder.added(new TopicPartition("t", 0), i, System.currentTimeMillis());
    }
    return builder.build();
  }

  /** One record on channel "a" whose frames alone exceed what one loop may hold before the consumer waits. */
  private static ChannelFrames moreThanALoopMayHold() {
    ChannelFrames.Builder big = new ChannelFrames.Builder("a");
    big.frames().writeZero((int) FanOut.MAX_HELD_BYTES_PER_LOOP + 1);
    big.added(new TopicPartition("t", 0), 0, System.currentTimeMillis());
    return big.build();
  }

  /** Runs {@code deliver} on a thread of its own and returns once that thread waits (for room in the loops). */
  private static Thread consumerWaitingForRoom(Runnable deliver) {
    Thread consumer = new Thread(deliver, "consumer");
    consumer.start();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> consumer.getState() == Thread.State.TIMED_WAITING);
    return consumer;
  }

  @Test
  void eachSubscriberGetsOneWriteAndOneFlushPerBatchAndTheBufferIsReleasedExactlyOnce() {
    ChannelSubscriber a1 = new ChannelSubscriber();
    ChannelSubscriber a2 = new ChannelSubscriber();
    ChannelSubscriber b = new ChannelSubscriber();
    fanOut.subscribe(loop.eventLoop(), "a", a1);
    fanOut.subscribe(loop.eventLoop(), "a", a2);
    fanOut.subscribe(loop.eventLoop(), "b", b);
    fanOut.subscribe(loop.eventLoop(), "b", a1);
    ChannelFrames forA = frames("a", "[a1]", "[a2]");
    ChannelFrames forB = frames("b", "[b1]");

    assertThat(fanOut.deliver(List.of(forA, forB))).isTrue();
    loop.runPendingTasks();

    assertThat(a1.received()).containsExactly("[a1][a2]", "[b1]");
    assertThat(a2.received()).containsExactly("[a1][a2]");
    assertThat(b.received()).containsExactly("[b1]");
    assertThat(a1.flushes).as("one flush per connection per batch").isEqualTo(1);
    assertThat(forA.frames().refCnt()).isZero();
    assertThat(forB.frames().refCnt()).isZero();
    assertThat(metrics.scrape()).contains("ws_messages_delivered_total{cluster=\"test\",shard=\"0\"} 6.0");
    for (ChannelSubscriber s : List.of(a1, a2, b)) {
      assertFalse(s.channel.finish());
    }
    assertFalse(loop.finish());
  }

  @Test
  void anUnwritableSubscriberIsSkippedCountedAndToldItFellBehind() {
    ChannelSubscriber slow = new ChannelSubscriber();
    ChannelSubscriber fast = new ChannelSubscriber();
    slow.writable = false;
    fanOut.subscribe(loop.eventLoop(), "a", slow);
    fanOut.subscribe(loop.eventLoop(), "a", fast);
    ChannelFrames batch = frames("a", "[1]", "[2]", "[3]");

    fanOut.deliver(List.of(batch));
    loop.runPendingTasks();

    assertThat(slow.fellBehind).isTrue();
    assertThat(slow.received()).isEmpty();
    assertThat(fast.received()).containsExactly("[1][2][3]");
    assertThat(batch.frames().refCnt()).isZero();
    assertThat(metrics.scrape()).contains("ws_messages_dropped_total{cluster=\"test\",reason=\"slow_client\",shard=\"0\"} 3.0");
    assertFalse(slow.channel.finish());
    assertFalse(fast.channel.finish());
  }

  @Test
  void interestFollowsSubscriptionsSoUnwantedChannelsAreNotEncoded() {
    ChannelSubscriber s = new ChannelSubscriber();
    assertThat(fanOut.hasSubscribers("x")).isFalse();
    fanOut.subscribe(loop.eventLoop(), "x", s);
    fanOut.subscribe(loop.eventLoop(), "x", s);
    assertThat(fanOut.hasSubscribers("x")).isTrue();
    assertThat(fanOut.subscriptions()).isEqualTo(1);
    fanOut.unsubscribe(loop.eventLoop(), "x", s);
    assertThat(fanOut.hasSubscribers("x")).isFalse();
    assertThat(fanOut.subscriptions()).isZero();
  }

  @Test
  void aSubscriberThatUnsubscribesItselfDuringDeliveryDoesNotCostTheOthersTheirFrames() {
    List<ChannelSubscriber> subscribers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ChannelSubscriber s = new ChannelSubscriber();
      subscribers.add(s);
      fanOut.subscribe(loop.eventLoop(), "a", s);
    }
    ChannelSubscriber quitter = subscribers.get(2);
    quitter.writable = false;
    ChannelSubscriber[] self = {quitter};
    ChannelSubscriber leaving = new ChannelSubscriber() {
      @Override public void fellBehind() { fanOut.unsubscribe(loop.eventLoop(), "a", this); }
    };
    leaving.writable = false;
    fanOut.subscribe(loop.eventLoop(), "a", leaving);
    fanOut.unsubscribe(loop.eventLoop(), "a", self[0]);

    fanOut.deliver(List.of(frames("a", "[x]")));
    loop.runPendingTasks();

    for (ChannelSubscriber s : subscribers) {
      if (s != quitter) {
        assertThat(s.received()).containsExactly("[x]");
      }
      assertFalse(s.channel.finish());
    }
    assertThat(fanOut.subscriptions()).isEqualTo(4);
    assertFalse(leaving.channel.finish());
  }

  @Test
  void aChannelWhoseLastSubscriberLeavesWhileBeingWrittenDoesNotHoldUpTheOtherChannels() {
    ChannelSubscriber leaving = new ChannelSubscriber() {
      @Override public boolean writeFrames(ChannelFrames frames) {
        super.writeFrames(frames);
        fanOut.unsubscribe(loop.eventLoop(), "a", this);
        return true;
      }
    };
    ChannelSubscriber staying = new ChannelSubscriber();
    fanOut.subscribe(loop.eventLoop(), "a", leaving);
    fanOut.subscribe(loop.eventLoop(), "b", staying);
    ChannelFrames forA = frames("a", "[a1]");
    ChannelFrames forB = frames("b", "[b1]");

    fanOut.deliver(List.of(forA, forB));
    loop.runPendingTasks();
    fanOut.deliver(List.of(frames("b", "[b2]")));
    loop.runPendingTasks();

    assertThat(leaving.received()).containsExactly("[a1]");
    assertThat(staying.received()).containsExactly("[b1]", "[b2]");
    assertThat(forA.frames().refCnt()).isZero();
    assertThat(forB.frames().refCnt()).isZero();
    assertFalse(leaving.channel.finish());
    assertFalse(staying.channel.finish());
  }

  @Test
  void theConsumerWaitsWhileTheLoopsHoldTheirShareOfBytesAndGoesOnOnceTheyHaveWrittenThem() throws Exception {
    ChannelSubscriber subscriber = new ChannelSubscriber();
    fanOut.subscribe(loop.eventLoop(), "a", subscriber);
    ChannelFrames first = moreThanALoopMayHold();
    ChannelFrames second = frames("a", "[after]");
    assertThat(fanOut.deliver(List.of(first))).as("nothing held yet").isTrue();

    AtomicReference<Boolean> handedOver = new AtomicReference<>();
    Thread consumer = consumerWaitingForRoom(() -> handedOver.set(fanOut.deliver(List.of(second))));
    assertThat(handedOver.get()).as("held back while the loop holds more than its share").isNull();

    loop.runPendingTasks(); // the loop writes and releases the big batch
    consumer.join(10_000);
    assertThat(handedOver.get()).as("goes on once the bytes are written").isTrue();
    loop.runPendingTasks();

    List<String> received = subscriber.received();
    assertThat(received).hasSize(2);
    assertThat(received.get(1)).isEqualTo("[after]");
    assertThat(first.frames().refCnt()).isZero();
    assertThat(second.frames().refCnt()).isZero();
    assertFalse(subscriber.channel.finish());
  }

  @Test
  void moreSubscribersThanOneSliceVisitsEachGetTheRecordOnceAcrossSlicesAndTheBufferIsReleased() {
    List<ChannelSubscriber> subscribers = new ArrayList<>();
    for (int i = 0; i < LoopSubscriptions.VISITS_PER_SLICE * 2 + 100; i++) {
      ChannelSubscriber s = new ChannelSubscriber();
      subscribers.add(s);
      fanOut.subscribe(loop.eventLoop(), "a", s);
    }
    ChannelFrames batch = frames("a", "[x]");

    fanOut.deliver(List.of(batch));
    for (int i = 0; i < 20 && batch.frames().refCnt() > 0; i++) {
      loop.runPendingTasks(); // runs the slices each slice schedules after itself
    }

    for (ChannelSubscriber s : subscribers) {
      assertThat(s.received()).containsExactly("[x]");
      assertThat(s.flushes).isEqualTo(1);
      assertFalse(s.channel.finish());
    }
    assertThat(batch.frames().refCnt()).isZero();
  }

  @Test
  void aConsumerInterruptedWhileWaitingForRoomGivesUpAndReleasesItsFrames() throws Exception {
    ChannelSubscriber subscriber = new ChannelSubscriber();
    fanOut.subscribe(loop.eventLoop(), "a", subscriber);
    ChannelFrames held = moreThanALoopMayHold();
    fanOut.deliver(List.of(held)); // the loop never runs: it holds these bytes
    ChannelFrames waiting = frames("a", "[late]");
    AtomicReference<Boolean> handedOver = new AtomicReference<>();
    Thread consumer = consumerWaitingForRoom(() -> handedOver.set(fanOut.deliver(List.of(waiting))));

    consumer.interrupt();
    consumer.join(10_000);

    assertThat(handedOver.get()).as("not handed over").isFalse();
    assertThat(waiting.frames().refCnt()).as("released by deliver").isZero();
    loop.runPendingTasks(); // the loop comes back and writes what it held
    assertThat(subscriber.received()).hasSize(1);
    assertThat(held.frames().refCnt()).isZero();
    assertFalse(subscriber.channel.finish());
  }
}
