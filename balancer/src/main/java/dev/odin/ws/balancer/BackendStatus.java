package dev.odin.ws.balancer;

/**
 * A snapshot of one backend for status displays: {@code removed} backends are no longer in the list but
 * still carry connections opened before their removal.
 */
public record BackendStatus(
    Backend backend, int activeConnections, boolean healthy, boolean removed) {}
