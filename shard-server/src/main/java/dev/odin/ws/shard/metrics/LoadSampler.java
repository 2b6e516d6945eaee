package dev.odin.ws.shard.metrics;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * What one shard costs, over the last interval, for {@code /stats} (the autoscaler's CPU signal): deliveries per
 * second, and process CPU time as a fraction of the CPUs the shard may use (its CPU limit). Sampled on a timer rather
 * than per request, so every reader (the operator, local mode, a person with curl) sees the same figures and none
 * of them shortens another's interval.
 */
public final class LoadSampler {
  /** Long enough to smooth a garbage collection or a burst of deliveries; short against autoscaling windows. */
  public static final Duration INTERVAL = Duration.ofSeconds(5);
  private static final Path CGROUP_CPU_MAX = Path.of("/sys/fs/cgroup/cpu.max");

  /** One interval's figures; {@code cpuUtilization} is NaN when this JVM cannot read its CPU time. */
  public record Load(double deliveriesPerSecond, double cpuUtilization) {}

  private final LongSupplier processCpuNanos;
  private final LongSupplier delivered;
  private final LongSupplier nanoClock;
  private final double cpus;
  private long lastCpu;
  private long lastDelivered;
  private long lastNanos;
  private volatile Load last;

  /**
   * @param processCpuNanos the process's CPU time so far, negative when unknown
   * @param cpus the CPUs the shard may use (1.0 = one whole CPU's time per second)
   */
  public LoadSampler(LongSupplier processCpuNanos, LongSupplier delivered, LongSupplier nanoClock, double cpus) {
    this.processCpuNanos = processCpuNanos;
    this.delivered = delivered;
    this.nanoClock = nanoClock;
    this.cpus = cpus;
    lastCpu = processCpuNanos.getAsLong();
    lastDelivered = delivered.getAsLong();
    lastNanos = nanoClock.getAsLong();
  }

  /** Samples this process: its CPU time, and its CPUs as the JVM's processor count bounded by the cgroup quota. */
  public static LoadSampler forThisProcess(LongSupplier delivered) {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    LongSupplier cpu = os instanceof com.sun.management.OperatingSystemMXBean sun
        ? sun::getProcessCpuTime : () -> -1;
    String cpuMax;
    try {
      cpuMax = Files.isReadable(CGROUP_CPU_MAX) ? Files.readString(CGROUP_CPU_MAX) : null;
    } catch (IOException e) {
      cpuMax = null;
    }
    return new LoadSampler(cpu, delivered, System::nanoTime,
        cpuCapacity(Runtime.getRuntime().availableProcessors(), cpuMax));
  }

  /**
   * The CPUs a process may use: the processors the JVM sees (in a container, the CPU limit rounded up; locally,
   * {@code -XX:ActiveProcessorCount}), or less when the cgroup v2 quota ({@code cpu.max}, "quota period") says so:
   * a 500m limit is half a CPU, which the JVM rounds up to one.
   */
  public static double cpuCapacity(int availableProcessors, String cgroupCpuMax) {
    double cpus = Math.max(1, availableProcessors);
    if (cgroupCpuMax == null) {
      return cpus;
    }
    String[] parts = cgroupCpuMax.trim().split("\\s+");
    if (parts.length != 2 || parts[0].equals("max")) {
      return cpus;
    }
    try {
      double quota = Double.parseDouble(parts[0]) / Double.parseDouble(parts[1]);
      return quota > 0 && quota < cpus ? quota : cpus;
    } catch (NumberFormatException e) {
      return cpus;
    }
  }

  /** Closes the current interval; the timer calls it every {@link #INTERVAL}. */
  public synchronized void sample() {
    long now = nanoClock.getAsLong();
    long cpu = processCpuNanos.getAsLong();
    long count = delivered.getAsLong();
    long elapsed = now - lastNanos;
    if (elapsed <= 0) {
      return;
    }
    double seconds = elapsed / 1e9;
    double utilization = cpu < 0 || lastCpu < 0 ? Double.NaN : (cpu - lastCpu) / (elapsed * cpus);
    last = new Load((count - lastDelivered) / seconds, utilization);
    lastCpu = cpu;
    lastDelivered = count;
    lastNanos = now;
  }

  /** The last whole interval's figures; empty before the first interval has ended. */
  public Optional<Load> last() {
    return Optional.ofNullable(last);
  }

  public double cpus() {
    return cpus;
  }
}
