package dev.odin.ws.shard.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The rollout of one channel, driven visit by visit: every subscriber gets every record once, in order, within
 * one round of its arrival, whatever joins or leaves meanwhile; every buffer is released (paranoid leak detection).
 */
class ChannelRolloutTest {
  private final ChannelRollout rollout = new ChannelRollout("c");
  private final RecordingPass pass = new RecordingPass();
  private final List<ChannelFrames> appended = new ArrayList<>();

  private static final class Reader implements Subscriber {
    final List<String> writes = new ArrayList<>();
    boolean writable = true;
    boolean fellBehind;
    Runnable onWrite = () -> { };

    @Override public boolean isWritable() { return writable; }
    @Override public boolean writeFrames(ChannelFrames frames) {
      writes.add(frames.frames().toString(StandardCharsets.UTF_8));
      onWrite.run();
      return false;
    }
    @Override public boolean markForFlush() { return true; }
    @Override public void flush() { }
    @Override public void fellBehind() { fellBehind = true; }

    String received() {
      return String.join("", writes);
    }
  }

  private static final class RecordingPass implements ChannelRollout.Pass {
    int delivered;
    int dropped;
    long released;
    final List<String> completed = new ArrayList<>();

    @Override public void written(Subscriber subscriber) { }
    @Override public void delivered(int records) { delivered += records; }
    @Override public void dropped(int records) { dropped += records; }
    @Override public void completed(ChannelFrames frames) {
      completed.add(frames.frames().toString(StandardCharsets.UTF_8));
    }
    @Override public void released(long bytes) { released += bytes; }
  }

  private List<Reader> readers(int count) {
    List<Reader> readers = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Reader reader = new Reader();
      assertThat(rollout.add(reader)).isTrue();
      readers.add(reader);
    }
    return readers;
  }

  private void append(String... records) {
    ChannelFrames.Builder builder = new ChannelFrames.Builder("c");
    for (int i = 0; i < records.length; i++) {
      builder.frames().writeCharSequence(records[i], StandardCharsets.UTF_8);
      builder.added(new TopicPartition("t", 0), i, System.currentTimeMillis());
    }
    ChannelFrames frames = builder.build();
    appended.add(frames);
    rollout.append(frames, frames.frames().readableBytes());
  }

  private void runUntilIdle() {
    for (int i = 0; i < 100 && !rollout.idle(); i++) {
      rollout.visit(7, pass);
    }
    assertThat(rollout.idle()).as("the log empties once everyone has everything").isTrue();
  }

  @AfterEach
  void everyBufferIsReleased() {
    rollout.close(pass);
    for (ChannelFrames frames : appended) {
      assertThat(frames.frames().refCnt()).isZero();
    }
  }

  @Test
  void aRecordArrivingMidRoundJoinsTheWriteOfTheSubscribersNotYetVisitedAndReachesTheOthersNextRound() {
    List<Reader> readers = readers(10);
    append("[1]");
    assertThat(rollout.visit(4, pass)).isEqualTo(4);
    append("[2]");

    runUntilIdle();

    for (int i = 0; i < 4; i++) {
      assertThat(readers.get(i).writes).as("visited before [2] arrived").containsExactly("[1]", "[2]");
    }
    for (int i = 4; i < 10; i++) {
      assertThat(readers.get(i).writes).as("one write for both records").containsExactly("[1][2]");
    }
    assertThat(pass.delivered).isEqualTo(20);
    assertThat(pass.completed).containsExactly("[1]", "[2]");
    assertThat(pass.released).isEqualTo(6);
  }

  @Test
  void recordsThatArriveBeforeAnyoneIsVisitedShareOneEntryAndOneWrite() {
    List<Reader> readers = readers(3);
    append("[1]");
    append("[2]", "[3]");

    runUntilIdle();

    readers.forEach(r -> assertThat(r.writes).containsExactly("[1][2][3]"));
    assertThat(pass.completed).containsExactly("[1][2][3]");
  }

  @Test
  void subscribersLeavingMidRoundCostNobodyElseARecord() {
    List<Reader> readers = readers(8);
    append("[1]");
    rollout.visit(3, pass);
    // One already visited and one not yet visited leave; the last subscriber moves into their places.
    rollout.remove(readers.get(1));
    rollout.remove(readers.get(5));
    append("[2]");
    rollout.visit(2, pass);
    rollout.remove(readers.get(0));
    append("[3]");

    runUntilIdle();

    for (int i : new int[] {2, 3, 4, 6, 7}) {
      assertThat(readers.get(i).received()).as("reader %d", i).isEqualTo("[1][2][3]");
    }
    assertThat(readers.get(0).received()).isEqualTo("[1]");
    assertThat(readers.get(1).received()).isEqualTo("[1]");
  }

  @Test
  void aSubscriberThatClosesWhileBeingWrittenLeavesTheRestOfTheRoundIntact() {
    List<Reader> readers = readers(5);
    Reader quitter = readers.get(2);
    quitter.onWrite = () -> rollout.remove(quitter);
    append("[1]");

    runUntilIdle();

    readers.forEach(r -> assertThat(r.received()).isEqualTo("[1]"));
    assertThat(rollout.size()).isEqualTo(4);
  }

  @Test
  void aNewSubscriberGetsOnlyWhatArrivesAfterItJoined() {
    List<Reader> readers = readers(4);
    append("[1]");
    rollout.visit(2, pass);
    Reader late = new Reader();
    rollout.add(late);
    append("[2]");

    runUntilIdle();

    assertThat(late.received()).isEqualTo("[2]");
    readers.forEach(r -> assertThat(r.received()).isEqualTo("[1][2]"));
  }

  @Test
  void aSubscriberThatCannotTakeMoreIsToldItFellBehindAndItsRecordsCountAsDropped() {
    List<Reader> readers = readers(3);
    readers.get(1).writable = false;
    append("[1]", "[2]");

    runUntilIdle();

    assertThat(readers.get(1).fellBehind).isTrue();
    assertThat(readers.get(1).writes).isEmpty();
    assertThat(pass.dropped).isEqualTo(2);
    assertThat(readers.get(0).received()).isEqualTo("[1][2]");
    assertThat(readers.get(2).received()).isEqualTo("[1][2]");
  }

  @Test
  void aRecordCompletesOnlyWhenTheNextRoundHasPassedTheSubscribersVisitedBeforeItArrived() {
    readers(6);
    append("[1]");
    rollout.visit(3, pass);
    append("[2]");
    rollout.visit(3, pass); // the rest of round one
    rollout.visit(1, pass); // the round's end: [1] was given to all
    assertThat(pass.completed).containsExactly("[1]");
    rollout.visit(2, pass);
    assertThat(pass.completed).as("two of the three owed [2] visited").containsExactly("[1]");
    rollout.visit(1, pass);
    assertThat(pass.completed).containsExactly("[1]", "[2]");
    runUntilIdle();
  }
}
