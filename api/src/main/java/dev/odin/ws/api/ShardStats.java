package dev.odin.ws.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A shard's {@code GET /stats} answer (docs/shard-server.md). {@code lag} is null while unknown;
 * {@code deliveriesPerSecond} and {@code cpuUtilization} (process CPU over the last load interval as a fraction of
 * the CPUs the shard may use, its CPU limit) are null until the shard has measured one interval, and from a shard
 * that predates them.
 */
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
    int assignedPartitions,
    Double deliveriesPerSecond,
    Double cpuUtilization) {}
