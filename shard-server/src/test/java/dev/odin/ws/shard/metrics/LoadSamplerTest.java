package dev.odin.ws.shard.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoadSamplerTest {
  private final AtomicLong cpuNanos = new AtomicLong(1_000_000_000L);
  private final AtomicLong delivered = new AtomicLong(500);
  private final AtomicLong clock = new AtomicLong(0);

  @Test
  void anIntervalsCpuTimeIsAFractionOfTheCpusTheShardMayUseAndDeliveriesArePerSecond() {
    LoadSampler sampler = new LoadSampler(cpuNanos::get, delivered::get, clock::get, 2.0);
    assertThat(sampler.last()).as("nothing before one whole interval").isEmpty();
    // 5 s later: 3 CPU-seconds used of 2 CPUs x 5 s, 2,000 deliveries.
    clock.addAndGet(5_000_000_000L);
    cpuNanos.addAndGet(3_000_000_000L);
    delivered.addAndGet(2000);
    sampler.sample();
    assertThat(sampler.last().orElseThrow().cpuUtilization()).isEqualTo(0.3);
    assertThat(sampler.last().orElseThrow().deliveriesPerSecond()).isEqualTo(400.0);
    // The next interval counts from the last sample only.
    clock.addAndGet(5_000_000_000L);
    cpuNanos.addAndGet(10_000_000_000L);
    sampler.sample();
    assertThat(sampler.last().orElseThrow().cpuUtilization()).isEqualTo(1.0);
    assertThat(sampler.last().orElseThrow().deliveriesPerSecond()).isZero();
  }

  @Test
  void aJvmThatCannotReadItsCpuTimeReportsNoCpuFigure() {
    LoadSampler sampler = new LoadSampler(() -> -1, delivered::get, clock::get, 1.0);
    clock.addAndGet(5_000_000_000L);
    sampler.sample();
    assertThat(sampler.last().orElseThrow().cpuUtilization()).isNaN();
  }

  @Test
  void theCgroupQuotaBoundsTheCpusBelowTheProcessorCountTheJvmRoundsUpTo() {
    assertThat(LoadSampler.cpuCapacity(1, "50000 100000\n")).isEqualTo(0.5);
    assertThat(LoadSampler.cpuCapacity(2, "150000 100000")).isEqualTo(1.5);
    assertThat(LoadSampler.cpuCapacity(1, "200000 100000")).as("-XX:ActiveProcessorCount below the quota").isEqualTo(1.0);
    assertThat(LoadSampler.cpuCapacity(4, "max 100000")).isEqualTo(4.0);
    assertThat(LoadSampler.cpuCapacity(4, null)).isEqualTo(4.0);
    assertThat(LoadSampler.cpuCapacity(4, "garbage")).isEqualTo(4.0);
  }
}
