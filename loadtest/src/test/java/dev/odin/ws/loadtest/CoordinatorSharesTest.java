package dev.odin.ws.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CoordinatorSharesTest {
  @Test
  void aTargetIsSplitOverTheWorkersExactlyWithNoConnectionOpenedTooMany() {
    int[] sizes = new int[27];
    Arrays.fill(sizes, 500_000 / 27);
    for (int i = 0; i < 500_000 % 27; i++) {
      sizes[i]++;
    }
    for (long target : new long[] {0, 1, 26, 50_000, 100_000, 333_333, 500_000}) {
      long[] shares = Coordinator.shares(target, sizes, 500_000);
      assertThat(Arrays.stream(shares).sum()).as("target %d", target).isEqualTo(target);
      for (int i = 0; i < sizes.length; i++) {
        assertThat(shares[i]).isBetween(0L, (long) sizes[i]);
      }
      assertThat(Arrays.stream(shares).max().getAsLong() - Arrays.stream(shares).min().getAsLong())
          .as("the workers share evenly").isLessThanOrEqualTo(2);
    }
  }

  @Test
  void aTargetAboveEveryWorkersConnectionsOpensThemAllAndNoMore() {
    assertThat(Coordinator.shares(1_000, new int[] {3, 2}, 5)).containsExactly(3, 2);
  }
}
