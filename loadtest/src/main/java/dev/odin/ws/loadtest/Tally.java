package dev.odin.ws.loadtest;

import java.util.Map;
import java.util.TreeMap;

/**
 * The counters of one event loop, one worker or the whole run. An event loop owns its tally and is the
 * only writer; snapshots are copied on that loop and merged elsewhere. Public fields so Jackson carries
 * them between worker and coordinator as they are.
 */
public final class Tally {
  /** Connections attempted (TCP connect started). */
  public long attempted;
  /** Connections whose WebSocket upgrade completed. */
  public long opened;
  /** Connections open right now. */
  public long open;
  /** Connections whose subscription was acknowledged ({@code "type":"subscribed"}). */
  public long subscribed;
  /** Data frames received ({@code "type":"message"}). */
  public long messages;
  /** Times a channel's offset jumped forward by more than one. */
  public long gaps;
  /** Records missing inside those jumps. */
  public long gapRecords;
  /** Records whose offset was lower than the last one seen on the same channel and partition. */
  public long outOfOrder;
  /** Records whose offset equalled the last one seen (delivered twice). */
  public long duplicates;
  /** Data frames whose channel was not one this connection subscribed to. */
  public long unknownChannel;
  /** Text frames that were neither data, subscribed, nor error replies, or that lacked a field. */
  public long unparsed;
  /** {@code "type":"error"} replies. */
  public long errorReplies;
  /** Latencies below zero (clock skew); recorded as zero. */
  public long negativeLatency;
  /** Bytes read from sockets after the upgrade. */
  public long bytesReceived;
  /** Wall-clock microseconds of the first and last data frame, 0 when none. */
  public long firstMessageMicros;
  public long lastMessageMicros;
  /** Connections the client itself closed (1000) because the target went down: a ramp-down, not a failure. */
  public long left;
  /** Connections that failed or ended before the run did, by cause. */
  public Map<String, Long> failures = new TreeMap<>();

  public void fail(String cause) {
    failures.merge(cause, 1L, Long::sum);
  }

  public long failed() {
    return failures.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Forgets what was delivered (after a warm-up); keeps the connection counts and failures. */
  public void resetDeliveries() {
    messages = 0;
    gaps = 0;
    gapRecords = 0;
    outOfOrder = 0;
    duplicates = 0;
    unknownChannel = 0;
    unparsed = 0;
    negativeLatency = 0;
    bytesReceived = 0;
    firstMessageMicros = 0;
    lastMessageMicros = 0;
  }

  public Tally copy() {
    Tally t = new Tally();
    t.add(this);
    return t;
  }

  public void add(Tally o) {
    attempted += o.attempted;
    opened += o.opened;
    open += o.open;
    subscribed += o.subscribed;
    messages += o.messages;
    gaps += o.gaps;
    gapRecords += o.gapRecords;
    outOfOrder += o.outOfOrder;
    duplicates += o.duplicates;
    unknownChannel += o.unknownChannel;
    unparsed += o.unparsed;
    errorReplies += o.errorReplies;
    negativeLatency += o.negativeLatency;
    bytesReceived += o.bytesReceived;
    left += o.left;
    if (o.firstMessageMicros != 0 && (firstMessageMicros == 0 || o.firstMessageMicros < firstMessageMicros)) {
      firstMessageMicros = o.firstMessageMicros;
    }
    lastMessageMicros = Math.max(lastMessageMicros, o.lastMessageMicros);
    o.failures.forEach((k, v) -> failures.merge(k, v, Long::sum));
  }
}
