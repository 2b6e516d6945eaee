package dev.odin.ws.shard.fanout;

import io.netty.buffer.ByteBuf;

/**
 * The records of one poll batch for one channel, already encoded as consecutive WebSocket text
 * frames in one buffer, so each subscriber gets a single write per batch.
 *
 * @param frames the encoded frames; owned by the enclosing {@link DeliveryBatch}
 * @param records how many records (frames) the buffer holds
 * @param timestamps each record's Kafka timestamp, for the delivery-latency histogram
 */
public record ChannelFrames(String channel, ByteBuf frames, int records, long[] timestamps) {}
