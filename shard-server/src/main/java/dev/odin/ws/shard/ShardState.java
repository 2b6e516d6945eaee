package dev.odin.ws.shard;

import dev.odin.ws.shard.config.ShardServerConfig;
import dev.odin.ws.shard.kafka.ConsumerStatus;
import io.netty.channel.ChannelFutureListener;
import java.util.concurrent.atomic.AtomicInteger;

/** The shard-wide facts that admission, readiness, /stats and metrics agree on. */
public final class ShardState {
  private final ShardServerConfig config;
  private final ConsumerStatus consumer;
  private final AtomicInteger admitted = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private volatile boolean draining;
  /** One listener for every channel: a lambda per channel would keep its creator alive as long as the channel. */
  private final ChannelFutureListener releaseAdmissionOnClose = future -> releaseAdmission();

  public ShardState(ShardServerConfig config, ConsumerStatus consumer) {
    this.config = config;
    this.consumer = consumer;
  }

  /** Why the shard is or is not ready for new clients. */
  public record Readiness(boolean ready, String reason) {}

  /** Reserves a connection slot; false when the shard is full. */
  public boolean tryAdmit() {
    while (true) {
      int current = admitted.get();
      if (current >= config.maxConnections()) {
        return false;
      }
      if (admitted.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  public void releaseAdmission() {
    admitted.decrementAndGet();
  }

  /** Gives the slot back when the channel closes. */
  public ChannelFutureListener releaseAdmissionOnClose() {
    return releaseAdmissionOnClose;
  }

  /** A client finished its WebSocket handshake. */
  public void clientEstablished() {
    connections.incrementAndGet();
  }

  /** An established client's connection ended. */
  public void clientGone() {
    connections.decrementAndGet();
  }

  /** Established WebSocket connections. */
  public int connections() {
    return connections.get();
  }

  public boolean full() {
    return admitted.get() >= config.maxConnections();
  }

  public boolean draining() {
    return draining;
  }

  /** Marks the shard draining; true only for the call that started it. */
  public synchronized boolean startDraining() {
    boolean first = !draining;
    draining = true;
    return first;
  }

  public ConsumerStatus consumer() {
    return consumer;
  }

  public ShardServerConfig config() {
    return config;
  }

  public Readiness readiness() {
    if (draining) {
      return new Readiness(false, "draining");
    }
    if (full()) {
      return new Readiness(false, "full: " + config.maxConnections() + " connections");
    }
    String refused = consumer.authenticationFailure();
    if (refused != null) {
      return new Readiness(false, "Kafka refused the shard's credentials: " + refused + " (fix the Kafka client "
          + "properties of kafka.secretRef; the shard re-reads them)");
    }
    if (!consumer.brokerReachable()) {
      return new Readiness(false, "Kafka broker unreachable");
    }
    if (consumer.assignedPartitions() == 0) {
      return new Readiness(false, "no Kafka partitions assigned yet");
    }
    long lag = consumer.lag();
    if (lag < 0) {
      return new Readiness(false, "consumer lag not known yet");
    }
    if (lag > config.readyMaxLagRecords()) {
      return new Readiness(false, "catching up: " + lag + " records behind");
    }
    return new Readiness(true, "ready");
  }
}
