import { type Backoff, DEFAULT_BACKOFF, DEFAULT_GOING_AWAY_BACKOFF } from "./policy.js";
import type { ClientOptions } from "./types.js";

/** The client's options with their defaults, checked once when the client is created. */
export interface Settings {
  readonly backoff: Backoff;
  readonly goingAwayBackoff: Backoff;
  readonly stableAfterMs: number;
  readonly pingIntervalMs: number;
  readonly pongTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly refreshBeforeExpiryMs: number;
  readonly maxMessagesPerSecond: number;
  readonly random: () => number;
}

/** Throws a RangeError naming the option for a value that is not a positive duration or rate. */
export function settingsOf(options: ClientOptions): Settings {
  return {
    backoff: checkedBackoff(options.backoff ?? DEFAULT_BACKOFF, "backoff"),
    goingAwayBackoff: checkedBackoff(options.goingAwayBackoff ?? DEFAULT_GOING_AWAY_BACKOFF, "goingAwayBackoff"),
    stableAfterMs: positive(options.stableAfterMs ?? 10_000, "stableAfterMs"),
    pingIntervalMs: positive(options.pingIntervalMs ?? 15_000, "pingIntervalMs"),
    pongTimeoutMs: positive(options.pongTimeoutMs ?? 10_000, "pongTimeoutMs"),
    connectTimeoutMs: positive(options.connectTimeoutMs ?? 10_000, "connectTimeoutMs"),
    refreshBeforeExpiryMs: positive(options.refreshBeforeExpiryMs ?? 30_000, "refreshBeforeExpiryMs"),
    maxMessagesPerSecond: positive(options.maxMessagesPerSecond ?? 10, "maxMessagesPerSecond"),
    random: options.random ?? Math.random,
  };
}

function checkedBackoff(backoff: Backoff, name: string): Backoff {
  positive(backoff.baseMs, `${name}.baseMs`);
  positive(backoff.capMs, `${name}.capMs`);
  if (backoff.capMs < backoff.baseMs) {
    throw new RangeError(`odin-ws: ${name}.capMs (${backoff.capMs}) must not be below baseMs (${backoff.baseMs})`);
  }
  return backoff;
}

function positive(value: number, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`odin-ws: ${name} must be a positive number, was ${String(value)}`);
  }
  return value;
}
