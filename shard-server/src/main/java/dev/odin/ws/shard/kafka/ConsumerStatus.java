package dev.odin.ws.shard.kafka;

/** What the consumer thread publishes about itself, read by readiness, /stats and metrics. */
public interface ConsumerStatus {
  /** Partitions currently assigned to this shard's consumer. */
  int assignedPartitions();

  /** Records behind the end of the assigned partitions, or -1 while unknown. */
  long lag();

  /** False when the last check could not reach the broker in time. */
  boolean brokerReachable();

  /** The broker's reason for refusing the shard's credentials (SASL), while it does; null otherwise. */
  default String authenticationFailure() {
    return null;
  }
}
