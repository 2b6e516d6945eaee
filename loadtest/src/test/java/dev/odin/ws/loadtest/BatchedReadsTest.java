package dev.odin.ws.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.SelectStrategy;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What an event loop of the load generator does next, by what its sockets and task queue hold. */
class BatchedReadsTest {
  private final BatchedReads strategy = new BatchedReads(100);
  private final AtomicInteger looks = new AtomicInteger();

  @Test
  void socketsFoundReadyAfterThePauseAreHandledTogether() throws Exception {
    int next = strategy.calculateStrategy(() -> {
      looks.incrementAndGet();
      return 37;
    }, false);

    assertThat(next).isEqualTo(37);
    assertThat(looks).hasValue(1);
  }

  @Test
  void aLoopWithNothingReadyBlocksUntilSomethingArrives() throws Exception {
    assertThat(strategy.calculateStrategy(looks::incrementAndGet, false)).isPositive();
    assertThat(strategy.calculateStrategy(() -> 0, false)).isEqualTo(SelectStrategy.SELECT);
  }

  @Test
  void aLoopWithQueuedTasksLooksWithoutBlockingSoItsTasksRunAtOnce() throws Exception {
    assertThat(strategy.calculateStrategy(() -> 0, true)).isZero();
    assertThat(strategy.calculateStrategy(() -> 5, true)).isEqualTo(5);
  }
}
