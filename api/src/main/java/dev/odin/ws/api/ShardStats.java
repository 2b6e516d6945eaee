package dev.odin.ws.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** A shard's {@code GET /stats} answer (docs/shard-server.md); {@code lag} is null while unknown. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ShardStats(
    String cluster,
    int shard,
    String consumerGroup,
    long connections,
    long subscriptions,
    long capacity,
    Long lag,
    boolean draining,
    boolean ready,
    int assignedPartitions) {}
